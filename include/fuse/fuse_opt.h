/*
 * include/fuse/fuse_opt.h - LinFsp's implementation of the libfuse option
 * parser API (source and binary compatible with libfuse 2.9 and 3.x).
 *
 * Overview
 * --------
 * fuse_opt_parse() walks a command line (struct fuse_args) and, for every
 * argument, decides whether it is
 *
 *   - an option group: "-o LIST" or "-oLIST". LIST is split at commas; a
 *     backslash makes the next character literal ("\," is a comma that does
 *     not split, "\\" is a backslash) and "\NNN" with three octal digits
 *     (first digit 0-3) stands for that byte. Every element of the list is
 *     handled as an "option" on its own;
 *   - the separator "--": every later argument is a non-option;
 *   - any other argument starting with '-': an "option";
 *   - anything else (including the empty string): a "non-option".
 *
 * Options are compared with the templates of a FUSE_OPT_END terminated
 * array of struct fuse_opt. Every template that matches is acted on, in
 * array order. Template forms:
 *
 *   "-x", "--foo", "foo"   the option must be exactly this string ("foo" is
 *                          for -o lists, "-x"/"--foo" for command line
 *                          arguments, though either kind is compared with
 *                          every template);
 *   "foo=", "--foo="       any option starting with this text (the text up
 *                          to and including the '=');
 *   "foo=%FMT"             as "foo=", and the text after the '=' is
 *                          converted with the scanf-style conversion %FMT;
 *   "-x "                  "-xVALUE", or "-x" followed by a separate VALUE
 *                          argument (the two are joined into "-xVALUE");
 *   "-x %FMT"              as "-x ", VALUE being converted with %FMT.
 *
 * The first '=' of a template (or, when it has none, its first ' ') is its
 * separator; the form with a parameter applies only when the separator ends
 * the template or is followed by '%'. Otherwise (for example "foo=bar") the
 * template matches only the identical option.
 *
 * What a matching template does depends on its 'offset':
 *
 *   - offset == -1U (FUSE_OPT_KEY): the processing function is called with
 *     key = 'value' and decides whether the option is kept;
 *   - otherwise, with a %FMT in the template: the converted parameter is
 *     stored at (char *)data + offset. "%s" stores a newly allocated copy of
 *     the parameter (char *), freeing the pointer previously stored there;
 *     any other conversion is done by sscanf() into the variable;
 *   - otherwise: 'value' is stored as an int at (char *)data + offset.
 *
 * An option matched by a template with an offset is consumed (not copied to
 * the output). Options matching no template are passed to the processing
 * function with FUSE_OPT_KEY_OPT, non-options with FUSE_OPT_KEY_NONOPT.
 *
 * Kept arguments form the new argument vector: argv[0] first; then, if any
 * -o list element was kept, "-o" and all kept elements joined with commas
 * (re-escaped); then the other kept arguments in their original order. A
 * kept "--" with nothing kept after it is dropped, except when a "-o" list
 * was produced (libfuse checks the position before the list is inserted).
 */
#ifndef LINFSP_FUSE_OPT_H_INCLUDED
#define LINFSP_FUSE_OPT_H_INCLUDED

#include <stddef.h> /* NULL (used by FUSE_OPT_END) and offsetof() */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * One option template.
 *
 * templ:  the template string (see the overview above); NULL ends an array.
 * offset: where fuse_opt_parse() stores a value, as a byte offset into its
 *         'data' argument (use offsetof()), or -1U to hand the option to the
 *         processing function instead.
 * value:  the int stored at 'offset' for templates without a %FMT, or the
 *         key passed to the processing function when 'offset' is -1U.
 */
struct fuse_opt {
    const char *templ;
    unsigned long offset;
    int value;
};

/** A template whose matches are passed to the processing function with 'key'. */
#define FUSE_OPT_KEY(templ, key) { templ, -1U, key }

/** The entry that ends an array of templates. */
#define FUSE_OPT_END { NULL, 0, 0 }

/**
 * An argument vector.
 *
 * argc:      number of arguments.
 * argv:      the arguments, followed by a NULL pointer.
 * allocated: non-zero when argv and its strings are heap memory owned by this
 *            structure (released by fuse_opt_free_args()); zero when they
 *            belong to the caller (for example main()'s argv).
 */
struct fuse_args {
    int argc;
    char **argv;
    int allocated;
};

/** Initialise a struct fuse_args that borrows the caller's argv. */
#define FUSE_ARGS_INIT(argc, argv) { argc, argv, 0 }

/** Key given to the processing function for an option that matched no template. */
#define FUSE_OPT_KEY_OPT     -1

/** Key given to the processing function for a non-option (or any argument after "--"). */
#define FUSE_OPT_KEY_NONOPT  -2

/**
 * Template key meaning "keep the option": the processing function is not
 * called and the option is copied to the output as if it had returned 1.
 */
#define FUSE_OPT_KEY_KEEP    -3

/**
 * Template key meaning "drop the option": the processing function is not
 * called and the option is left out of the output as if it had returned 0.
 */
#define FUSE_OPT_KEY_DISCARD -4

/**
 * The processing function called by fuse_opt_parse().
 *
 * data:    the 'data' pointer given to fuse_opt_parse().
 * arg:     the option or argument (a -o list element without "-o" and with
 *          its escapes resolved; "-xVALUE" for a "-x " template even when
 *          VALUE was a separate argument).
 * key:     the template's 'value', FUSE_OPT_KEY_OPT or FUSE_OPT_KEY_NONOPT.
 * outargs: the output being built; the function may add arguments to it
 *          with fuse_opt_add_arg() / fuse_opt_insert_arg().
 *
 * Returns -1 to stop parsing with an error, 0 to drop the argument, or 1 (any
 * other value) to keep it.
 */
typedef int (*fuse_opt_proc_t)(void *data, const char *arg, int key,
                               struct fuse_args *outargs);

/**
 * Parse 'args' against the template array 'opts' (may be NULL: no template
 * matches), storing values into 'data' and calling 'proc' (may be NULL: as if
 * it always returned 1).
 *
 * On success 'args' is replaced by the kept arguments (an allocated vector;
 * the previous vector is released if it was allocated) and 0 is returned.
 * On failure (a missing or invalid parameter, 'proc' returning -1, out of
 * memory) a message may be written to stderr, 'args' is left unchanged and
 * -1 is returned; values already stored into 'data' stay stored.
 * A NULL 'args', or one with no arguments, is accepted and left alone.
 */
int fuse_opt_parse(struct fuse_args *args, void *data,
                   const struct fuse_opt opts[], fuse_opt_proc_t proc);

/**
 * Append 'opt' to the comma separated list '*opts' (a heap string, or NULL
 * for an empty list), reallocating it. 'opt' is added as is.
 * Returns 0, or -1 when out of memory ('*opts' is then unchanged).
 */
int fuse_opt_add_opt(char **opts, const char *opt);

/**
 * Like fuse_opt_add_opt(), but every ',' and '\' in 'opt' is preceded by a
 * backslash, so the list can be parsed back into the same options.
 */
int fuse_opt_add_opt_escaped(char **opts, const char *opt);

/**
 * Append a copy of 'arg' to 'args'. The vector becomes allocated (a borrowed
 * vector is first copied). Returns 0, or -1 when out of memory.
 */
int fuse_opt_add_arg(struct fuse_args *args, const char *arg);

/**
 * Insert a copy of 'arg' at index 'pos' (0 <= pos <= args->argc) of 'args',
 * moving the following arguments up. Returns 0, or -1 when out of memory or
 * when 'pos' is out of range.
 */
int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg);

/**
 * Release an allocated argument vector and reset 'args' to
 * { 0, NULL, 0 }. A borrowed vector is not freed. NULL is accepted.
 */
void fuse_opt_free_args(struct fuse_args *args);

/**
 * Returns 1 if the option 'opt' matches at least one template of 'opts'
 * (as fuse_opt_parse() would match it), 0 otherwise.
 */
int fuse_opt_match(const struct fuse_opt opts[], const char *opt);

#ifdef __cplusplus
}
#endif

#endif /* LINFSP_FUSE_OPT_H_INCLUDED */
