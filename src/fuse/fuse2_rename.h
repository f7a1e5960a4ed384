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
#define fuse_apply_conn_info_opts fuse3_impl_fuse_apply_conn_info_opts
#define fuse_buf_copy fuse3_impl_fuse_buf_copy
#define fuse_buf_size fuse3_impl_fuse_buf_size
#define fuse_clean_cache fuse3_impl_fuse_clean_cache
#define fuse_cmdline_help fuse3_impl_fuse_cmdline_help
#define fuse_daemonize fuse3_impl_fuse_daemonize
#define fuse_destroy fuse3_impl_fuse_destroy
#define fuse_exit fuse3_impl_fuse_exit
#define fuse_fs_access fuse3_impl_fuse_fs_access
#define fuse_fs_bmap fuse3_impl_fuse_fs_bmap
#define fuse_fs_chmod fuse3_impl_fuse_fs_chmod
#define fuse_fs_chown fuse3_impl_fuse_fs_chown
#define fuse_fs_copy_file_range fuse3_impl_fuse_fs_copy_file_range
#define fuse_fs_create fuse3_impl_fuse_fs_create
#define fuse_fs_destroy fuse3_impl_fuse_fs_destroy
#define fuse_fs_fallocate fuse3_impl_fuse_fs_fallocate
#define fuse_fs_flock fuse3_impl_fuse_fs_flock
#define fuse_fs_flush fuse3_impl_fuse_fs_flush
#define fuse_fs_fsync fuse3_impl_fuse_fs_fsync
#define fuse_fs_fsyncdir fuse3_impl_fuse_fs_fsyncdir
#define fuse_fs_getattr fuse3_impl_fuse_fs_getattr
#define fuse_fs_getxattr fuse3_impl_fuse_fs_getxattr
#define fuse_fs_init fuse3_impl_fuse_fs_init
#define fuse_fs_ioctl fuse3_impl_fuse_fs_ioctl
#define fuse_fs_link fuse3_impl_fuse_fs_link
#define fuse_fs_listxattr fuse3_impl_fuse_fs_listxattr
#define fuse_fs_lock fuse3_impl_fuse_fs_lock
#define fuse_fs_lseek fuse3_impl_fuse_fs_lseek
#define fuse_fs_mkdir fuse3_impl_fuse_fs_mkdir
#define fuse_fs_mknod fuse3_impl_fuse_fs_mknod
#define fuse_fs_new fuse3_impl_fuse_fs_new
#define fuse_fs_open fuse3_impl_fuse_fs_open
#define fuse_fs_opendir fuse3_impl_fuse_fs_opendir
#define fuse_fs_poll fuse3_impl_fuse_fs_poll
#define fuse_fs_read fuse3_impl_fuse_fs_read
#define fuse_fs_read_buf fuse3_impl_fuse_fs_read_buf
#define fuse_fs_readdir fuse3_impl_fuse_fs_readdir
#define fuse_fs_readlink fuse3_impl_fuse_fs_readlink
#define fuse_fs_release fuse3_impl_fuse_fs_release
#define fuse_fs_releasedir fuse3_impl_fuse_fs_releasedir
#define fuse_fs_removexattr fuse3_impl_fuse_fs_removexattr
#define fuse_fs_rename fuse3_impl_fuse_fs_rename
#define fuse_fs_rmdir fuse3_impl_fuse_fs_rmdir
#define fuse_fs_setxattr fuse3_impl_fuse_fs_setxattr
#define fuse_fs_statfs fuse3_impl_fuse_fs_statfs
#define fuse_fs_symlink fuse3_impl_fuse_fs_symlink
#define fuse_fs_truncate fuse3_impl_fuse_fs_truncate
#define fuse_fs_unlink fuse3_impl_fuse_fs_unlink
#define fuse_fs_utimens fuse3_impl_fuse_fs_utimens
#define fuse_fs_write fuse3_impl_fuse_fs_write
#define fuse_fs_write_buf fuse3_impl_fuse_fs_write_buf
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
#define fuse_open_channel fuse3_impl_fuse_open_channel
#define fuse_parse_cmdline fuse3_impl_fuse_parse_cmdline
#define fuse_parse_cmdline_30 fuse3_impl_fuse_parse_cmdline_30
#define fuse_parse_cmdline_312 fuse3_impl_fuse_parse_cmdline_312
#define fuse_parse_conn_info_opts fuse3_impl_fuse_parse_conn_info_opts
#define fuse_pkgversion fuse3_impl_fuse_pkgversion
#define fuse_pollhandle_destroy fuse3_impl_fuse_pollhandle_destroy
#define fuse_remove_signal_handlers fuse3_impl_fuse_remove_signal_handlers
#define fuse_session_exit fuse3_impl_fuse_session_exit
#define fuse_session_exited fuse3_impl_fuse_session_exited
#define fuse_session_fd fuse3_impl_fuse_session_fd
#define fuse_session_loop fuse3_impl_fuse_session_loop
#define fuse_session_loop_mt fuse3_impl_fuse_session_loop_mt
#define fuse_session_loop_mt_31 fuse3_impl_fuse_session_loop_mt_31
#define fuse_session_loop_mt_312 fuse3_impl_fuse_session_loop_mt_312
#define fuse_session_loop_mt_32 fuse3_impl_fuse_session_loop_mt_32
#define fuse_session_mount fuse3_impl_fuse_session_mount
#define fuse_session_reset fuse3_impl_fuse_session_reset
#define fuse_session_unmount fuse3_impl_fuse_session_unmount
#define fuse_set_log_func fuse3_impl_fuse_set_log_func
#define fuse_set_signal_handlers fuse3_impl_fuse_set_signal_handlers
#define fuse_start_cleanup_thread fuse3_impl_fuse_start_cleanup_thread
#define fuse_stop_cleanup_thread fuse3_impl_fuse_stop_cleanup_thread
#define fuse_unmount fuse3_impl_fuse_unmount
#define fuse_version fuse3_impl_fuse_version
#else
#undef fuse_apply_conn_info_opts
#undef fuse_buf_copy
#undef fuse_buf_size
#undef fuse_clean_cache
#undef fuse_cmdline_help
#undef fuse_daemonize
#undef fuse_destroy
#undef fuse_exit
#undef fuse_fs_access
#undef fuse_fs_bmap
#undef fuse_fs_chmod
#undef fuse_fs_chown
#undef fuse_fs_copy_file_range
#undef fuse_fs_create
#undef fuse_fs_destroy
#undef fuse_fs_fallocate
#undef fuse_fs_flock
#undef fuse_fs_flush
#undef fuse_fs_fsync
#undef fuse_fs_fsyncdir
#undef fuse_fs_getattr
#undef fuse_fs_getxattr
#undef fuse_fs_init
#undef fuse_fs_ioctl
#undef fuse_fs_link
#undef fuse_fs_listxattr
#undef fuse_fs_lock
#undef fuse_fs_lseek
#undef fuse_fs_mkdir
#undef fuse_fs_mknod
#undef fuse_fs_new
#undef fuse_fs_open
#undef fuse_fs_opendir
#undef fuse_fs_poll
#undef fuse_fs_read
#undef fuse_fs_read_buf
#undef fuse_fs_readdir
#undef fuse_fs_readlink
#undef fuse_fs_release
#undef fuse_fs_releasedir
#undef fuse_fs_removexattr
#undef fuse_fs_rename
#undef fuse_fs_rmdir
#undef fuse_fs_setxattr
#undef fuse_fs_statfs
#undef fuse_fs_symlink
#undef fuse_fs_truncate
#undef fuse_fs_unlink
#undef fuse_fs_utimens
#undef fuse_fs_write
#undef fuse_fs_write_buf
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
#undef fuse_open_channel
#undef fuse_parse_cmdline
#undef fuse_parse_cmdline_30
#undef fuse_parse_cmdline_312
#undef fuse_parse_conn_info_opts
#undef fuse_pkgversion
#undef fuse_pollhandle_destroy
#undef fuse_remove_signal_handlers
#undef fuse_session_exit
#undef fuse_session_exited
#undef fuse_session_fd
#undef fuse_session_loop
#undef fuse_session_loop_mt
#undef fuse_session_loop_mt_31
#undef fuse_session_loop_mt_312
#undef fuse_session_loop_mt_32
#undef fuse_session_mount
#undef fuse_session_reset
#undef fuse_session_unmount
#undef fuse_set_log_func
#undef fuse_set_signal_handlers
#undef fuse_start_cleanup_thread
#undef fuse_stop_cleanup_thread
#undef fuse_unmount
#undef fuse_version
#endif
