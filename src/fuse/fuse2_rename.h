/*
 * src/fuse/fuse2_rename.h - the FUSE 2.9 library (liblinfsp-fuse.so.2, fuse2.c) is built from
 * the FUSE 3 layer's sources as well. Compiled there (LINFSP_FUSE2_BUILD), every public
 * FUSE 3 function gets a private name, fuse3_impl_NAME, and hidden visibility: the 2.9
 * API uses many of the same names with other signatures, and fuse2.c defines those.
 *
 * Included by fuse3_priv.h (renames). fuse2.c includes it once more with
 * FUSE2_UNRENAME defined (no include guard on purpose) to define the 2.9 names itself
 * and call the FUSE 3 ones by their fuse3_impl_ names.
 */
#ifndef FUSE2_UNRENAME
#define fuse_buf_copy fuse3_impl_fuse_buf_copy
#define fuse_buf_size fuse3_impl_fuse_buf_size
#define fuse_clean_cache fuse3_impl_fuse_clean_cache
#define fuse_cmdline_help fuse3_impl_fuse_cmdline_help
#define fuse_daemonize fuse3_impl_fuse_daemonize
#define fuse_destroy fuse3_impl_fuse_destroy
#define fuse_exit fuse3_impl_fuse_exit
#define fuse_get_context fuse3_impl_fuse_get_context
#define fuse_get_session fuse3_impl_fuse_get_session
#define fuse_getgroups fuse3_impl_fuse_getgroups
#define fuse_interrupted fuse3_impl_fuse_interrupted
#define fuse_invalidate_path fuse3_impl_fuse_invalidate_path
#define fuse_lib_help fuse3_impl_fuse_lib_help
#define fuse_log fuse3_impl_fuse_log
#define fuse_loop fuse3_impl_fuse_loop
#define fuse_loop_cfg_convert fuse3_impl_fuse_loop_cfg_convert
#define fuse_loop_cfg_create fuse3_impl_fuse_loop_cfg_create
#define fuse_loop_cfg_destroy fuse3_impl_fuse_loop_cfg_destroy
#define fuse_loop_cfg_set_clone_fd fuse3_impl_fuse_loop_cfg_set_clone_fd
#define fuse_loop_cfg_set_idle_threads fuse3_impl_fuse_loop_cfg_set_idle_threads
#define fuse_loop_cfg_set_max_threads fuse3_impl_fuse_loop_cfg_set_max_threads
#define fuse_loop_mt fuse3_impl_fuse_loop_mt
#define fuse_loop_mt_31 fuse3_impl_fuse_loop_mt_31
#define fuse_loop_mt_312 fuse3_impl_fuse_loop_mt_312
#define fuse_loop_mt_32 fuse3_impl_fuse_loop_mt_32
#define fuse_lowlevel_help fuse3_impl_fuse_lowlevel_help
#define fuse_lowlevel_version fuse3_impl_fuse_lowlevel_version
#define fuse_main_real fuse3_impl_fuse_main_real
#define fuse_main_real_versioned fuse3_impl_fuse_main_real_versioned
#define fuse_mount fuse3_impl_fuse_mount
#define fuse_new fuse3_impl_fuse_new
#define fuse_new_30 fuse3_impl_fuse_new_30
#define fuse_new_31 fuse3_impl_fuse_new_31
#define fuse_notify_poll fuse3_impl_fuse_notify_poll
#define fuse_parse_cmdline fuse3_impl_fuse_parse_cmdline
#define fuse_parse_cmdline_30 fuse3_impl_fuse_parse_cmdline_30
#define fuse_parse_cmdline_312 fuse3_impl_fuse_parse_cmdline_312
#define fuse_pkgversion fuse3_impl_fuse_pkgversion
#define fuse_pollhandle_destroy fuse3_impl_fuse_pollhandle_destroy
#define fuse_remove_signal_handlers fuse3_impl_fuse_remove_signal_handlers
#define fuse_session_exit fuse3_impl_fuse_session_exit
#define fuse_session_exited fuse3_impl_fuse_session_exited
#define fuse_session_reset fuse3_impl_fuse_session_reset
#define fuse_set_log_func fuse3_impl_fuse_set_log_func
#define fuse_set_signal_handlers fuse3_impl_fuse_set_signal_handlers
#define fuse_start_cleanup_thread fuse3_impl_fuse_start_cleanup_thread
#define fuse_stop_cleanup_thread fuse3_impl_fuse_stop_cleanup_thread
#define fuse_unmount fuse3_impl_fuse_unmount
#define fuse_version fuse3_impl_fuse_version
#else
#undef fuse_buf_copy
#undef fuse_buf_size
#undef fuse_clean_cache
#undef fuse_cmdline_help
#undef fuse_daemonize
#undef fuse_destroy
#undef fuse_exit
#undef fuse_get_context
#undef fuse_get_session
#undef fuse_getgroups
#undef fuse_interrupted
#undef fuse_invalidate_path
#undef fuse_lib_help
#undef fuse_log
#undef fuse_loop
#undef fuse_loop_cfg_convert
#undef fuse_loop_cfg_create
#undef fuse_loop_cfg_destroy
#undef fuse_loop_cfg_set_clone_fd
#undef fuse_loop_cfg_set_idle_threads
#undef fuse_loop_cfg_set_max_threads
#undef fuse_loop_mt
#undef fuse_loop_mt_31
#undef fuse_loop_mt_312
#undef fuse_loop_mt_32
#undef fuse_lowlevel_help
#undef fuse_lowlevel_version
#undef fuse_main_real
#undef fuse_main_real_versioned
#undef fuse_mount
#undef fuse_new
#undef fuse_new_30
#undef fuse_new_31
#undef fuse_notify_poll
#undef fuse_parse_cmdline
#undef fuse_parse_cmdline_30
#undef fuse_parse_cmdline_312
#undef fuse_pkgversion
#undef fuse_pollhandle_destroy
#undef fuse_remove_signal_handlers
#undef fuse_session_exit
#undef fuse_session_exited
#undef fuse_session_reset
#undef fuse_set_log_func
#undef fuse_set_signal_handlers
#undef fuse_start_cleanup_thread
#undef fuse_stop_cleanup_thread
#undef fuse_unmount
#undef fuse_version
#endif
