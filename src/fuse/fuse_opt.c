/*
 * src/fuse/fuse_opt.c - the libfuse-compatible option parser (see fuse_opt.h
 * for the rules). Written for LinFsp; behaviour follows libfuse 3.x,
 * including its corner cases, so that programs written for libfuse parse
 * their command lines identically.
 *
 * Nothing here aborts: out of memory and misuse (an out of range insert
 * position) are reported with -1.
 */
#include "fuse_opt.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Diagnostics go to stderr with the "fuse: " prefix libfuse uses. */
static void opt_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void opt_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static int out_of_memory(void)
{
    opt_report("fuse: memory allocation failed\n");
    return -1;
}

/* ---- argument vectors ---- */

void fuse_opt_free_args(struct fuse_args *args)
{
    if (!args)
        return;
    if (args->allocated && args->argv) {
        for (int i = 0; i < args->argc; i++)
            free(args->argv[i]);
        free(args->argv);
    }
    args->argc = 0;
    args->argv = NULL;
    args->allocated = 0;
}

/*
 * Make a borrowed vector owned (libfuse asserts instead; copying is the
 * friendlier reading of the same contract).
 */
static int own_vector(struct fuse_args *args)
{
    if (args->allocated || !args->argv)
        return 0;
    if (args->argc < 0)
        return -1;
    char **copy = calloc((size_t)args->argc + 1, sizeof *copy);
    if (!copy)
        return out_of_memory();
    for (int i = 0; i < args->argc; i++) {
        copy[i] = strdup(args->argv[i] ? args->argv[i] : "");
        if (!copy[i]) {
            while (i-- > 0)
                free(copy[i]);
            free(copy);
            return out_of_memory();
        }
    }
    args->argv = copy;
    args->allocated = 1;
    return 0;
}

int fuse_opt_add_arg(struct fuse_args *args, const char *arg)
{
    if (!args || !arg || args->argc < 0 || args->argc > INT_MAX - 2)
        return -1;
    if (own_vector(args) == -1)
        return -1;

    char *dup = strdup(arg);
    if (!dup)
        return out_of_memory();
    char **grown = realloc(args->argv, ((size_t)args->argc + 2) * sizeof *grown);
    if (!grown) {
        free(dup);
        return out_of_memory();
    }
    grown[args->argc] = dup;
    grown[args->argc + 1] = NULL;
    args->argv = grown;
    args->argc++;
    args->allocated = 1;
    return 0;
}

int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg)
{
    if (!args || pos < 0 || pos > args->argc)
        return -1;
    if (fuse_opt_add_arg(args, arg) == -1)
        return -1;

    /* The new string is last; rotate it down to 'pos'. */
    int last = args->argc - 1;
    char *moved = args->argv[last];
    memmove(&args->argv[pos + 1], &args->argv[pos], (size_t)(last - pos) * sizeof(char *));
    args->argv[pos] = moved;
    return 0;
}

/* ---- comma separated option lists ---- */

static int append_to_list(char **list, const char *opt, int escape)
{
    if (!list || !opt)
        return -1;

    size_t have = *list ? strlen(*list) : 0;
    size_t add = 0;
    for (const char *p = opt; *p; p++)
        add += (escape && (*p == ',' || *p == '\\')) ? 2 : 1;

    /* An empty list (NULL or "") takes the option without a comma. */
    size_t need = have + (have ? 1 : 0) + add + 1;
    char *grown = realloc(*list, need);
    if (!grown)
        return out_of_memory();

    char *w = grown + have;
    if (have)
        *w++ = ',';
    for (const char *p = opt; *p; p++) {
        if (escape && (*p == ',' || *p == '\\'))
            *w++ = '\\';
        *w++ = *p;
    }
    *w = '\0';
    *list = grown;
    return 0;
}

int fuse_opt_add_opt(char **opts, const char *opt)
{
    return append_to_list(opts, opt, 0);
}

int fuse_opt_add_opt_escaped(char **opts, const char *opt)
{
    return append_to_list(opts, opt, 1);
}

/* ---- template matching ---- */

/*
 * Compare 'arg' with template 't'. On a match returns 1 and sets *sep to the
 * index of the template's separator when the match is a parameter match (the
 * argument may carry a value), or to 0 for an exact match.
 */
static int template_matches(const char *t, const char *arg, size_t *sep)
{
    const char *s = strchr(t, '=');
    if (!s)
        s = strchr(t, ' ');
    if (s && (s[1] == '\0' || s[1] == '%')) {
        size_t idx = (size_t)(s - t);
        size_t prefix = idx + (*s == '=' ? 1 : 0);
        if (strncmp(arg, t, prefix) == 0) {
            *sep = idx;
            return 1;
        }
    }
    if (strcmp(arg, t) == 0) {
        *sep = 0;
        return 1;
    }
    return 0;
}

/* The first template at or after 'from' matching 'arg', or NULL. */
static const struct fuse_opt *next_match(const struct fuse_opt *from, const char *arg, size_t *sep)
{
    for (const struct fuse_opt *o = from; o && o->templ; o++)
        if (template_matches(o->templ, arg, sep))
            return o;
    return NULL;
}

int fuse_opt_match(const struct fuse_opt opts[], const char *opt)
{
    size_t sep;
    if (!opt)
        return 0;
    return next_match(opts, opt, &sep) ? 1 : 0;
}

/* ---- the parser ---- */

struct opt_parser {
    void *data;
    const struct fuse_opt *templates;
    fuse_opt_proc_t proc;
    int argc;
    char **argv;
    int pos;               /* index of the input argument being handled */
    struct fuse_args out;  /* kept arguments */
    char *kept_opts;       /* kept -o elements, escaped and comma joined */
    int after_dashdash;    /* out.argc just after "--" was kept; 0 before any "--" */
};

/* Take the next input argument as the value of 'what'. */
static const char *take_next_arg(struct opt_parser *p, const char *what)
{
    if (p->pos + 1 >= p->argc) {
        opt_report("fuse: missing argument after `%s'\n", what);
        return NULL;
    }
    return p->argv[++p->pos];
}

/* Keep 'arg' (as a -o element when in_list), or not, as proc / key decide. */
static int dispatch_key(struct opt_parser *p, const char *arg, int key, int in_list)
{
    if (key == FUSE_OPT_KEY_DISCARD)
        return 0;
    if (key != FUSE_OPT_KEY_KEEP && p->proc) {
        int verdict = p->proc(p->data, arg, key, &p->out);
        if (verdict == -1)
            return -1;
        if (verdict == 0)
            return 0;
    }
    if (in_list)
        return append_to_list(&p->kept_opts, arg, 1);
    return fuse_opt_add_arg(&p->out, arg);
}

static int convert_param(void *var, const char *format, const char *param, const char *arg)
{
    if (format[1] == 's') {
        char *copy = strdup(param);
        if (!copy)
            return out_of_memory();
        char **slot = var;
        free(*slot);
        *slot = copy;
        return 0;
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int converted = sscanf(param, format, var);
#pragma GCC diagnostic pop
    if (converted != 1) {
        opt_report("fuse: invalid parameter in option `%s'\n", arg);
        return -1;
    }
    return 0;
}

/* Carry out template 'o' for 'arg' (already joined with a separate value). */
static int apply_template(struct opt_parser *p, const struct fuse_opt *o, size_t sep,
                          const char *arg, int in_list)
{
    /* FUSE_OPT_KEY stores -1U; also accept an all-ones unsigned long. */
    if (o->offset == (unsigned long)-1U || o->offset == (unsigned long)-1L)
        return dispatch_key(p, arg, o->value, in_list) == -1 ? -1 : 0;

    void *var = (char *)p->data + o->offset;
    if (sep && o->templ[sep + 1] != '\0') {
        const char *param = arg + sep + (o->templ[sep] == '=' ? 1 : 0);
        return convert_param(var, o->templ + sep + 1, param, arg);
    }
    *(int *)var = o->value;
    return 0;
}

/* An option (a command line argument or a -o element). */
static int handle_option(struct opt_parser *p, const char *arg, int in_list)
{
    size_t sep;
    const struct fuse_opt *o = next_match(p->templates, arg, &sep);
    if (!o)
        return dispatch_key(p, arg, FUSE_OPT_KEY_OPT, in_list);

    for (; o; o = next_match(o + 1, arg, &sep)) {
        int r;
        if (sep && o->templ[sep] == ' ' && arg[sep] == '\0') {
            /* "-x " template, value in the next argument: act on "-xVALUE". */
            const char *value = take_next_arg(p, arg);
            if (!value)
                return -1;
            size_t vlen = strlen(value);
            char *joined = malloc(sep + vlen + 1);
            if (!joined)
                return out_of_memory();
            memcpy(joined, arg, sep);
            memcpy(joined + sep, value, vlen + 1);
            r = apply_template(p, o, sep, joined, in_list);
            free(joined);
        } else {
            r = apply_template(p, o, sep, arg, in_list);
        }
        if (r == -1)
            return -1;
    }
    return 0;
}

/* Split a -o list (resolving escapes) and handle each element. */
static int handle_option_list(struct opt_parser *p, const char *list)
{
    char *buf = strdup(list);
    if (!buf)
        return out_of_memory();

    const char *r = list;
    char *w = buf;
    int result = 0;
    for (;;) {
        if (*r == '\0' || *r == ',') {
            *w = '\0';
            if (handle_option(p, buf, 1) == -1) {
                result = -1;
                break;
            }
            if (*r == '\0')
                break;
            w = buf;
            r++;
            continue;
        }
        if (r[0] == '\\' && r[1] != '\0') {
            r++;
            if (r[0] >= '0' && r[0] <= '3' && r[1] >= '0' && r[1] <= '7' &&
                r[2] >= '0' && r[2] <= '7') {
                *w++ = (char)((r[0] - '0') * 64 + (r[1] - '0') * 8 + (r[2] - '0'));
                r += 3;
            } else {
                *w++ = *r++;
            }
            continue;
        }
        *w++ = *r++;
    }
    free(buf);
    return result;
}

static int handle_argument(struct opt_parser *p, const char *arg)
{
    if (p->after_dashdash || arg[0] != '-')
        return dispatch_key(p, arg, FUSE_OPT_KEY_NONOPT, 0);

    if (arg[1] == 'o') {
        if (arg[2] != '\0')
            return handle_option_list(p, arg + 2);
        const char *list = take_next_arg(p, arg);
        return list ? handle_option_list(p, list) : -1;
    }

    if (arg[1] == '-' && arg[2] == '\0') {
        if (fuse_opt_add_arg(&p->out, arg) == -1)
            return -1;
        p->after_dashdash = p->out.argc;
        return 0;
    }

    return handle_option(p, arg, 0);
}

static int run_parser(struct opt_parser *p)
{
    if (fuse_opt_add_arg(&p->out, p->argv[0] ? p->argv[0] : "") == -1)
        return -1;

    for (p->pos = 1; p->pos < p->argc; p->pos++) {
        const char *arg = p->argv[p->pos];
        if (arg && handle_argument(p, arg) == -1)
            return -1;
    }

    if (p->kept_opts) {
        if (fuse_opt_insert_arg(&p->out, 1, "-o") == -1 ||
            fuse_opt_insert_arg(&p->out, 2, p->kept_opts) == -1)
            return -1;
    }

    /*
     * A "--" with nothing after it is dropped. (As in libfuse, the check is
     * made after "-o LIST" was inserted, so a trailing "--" survives then.)
     */
    if (p->after_dashdash && p->after_dashdash == p->out.argc &&
        strcmp(p->out.argv[p->out.argc - 1], "--") == 0) {
        p->out.argc--;
        free(p->out.argv[p->out.argc]);
        p->out.argv[p->out.argc] = NULL;
    }
    return 0;
}

int fuse_opt_parse(struct fuse_args *args, void *data,
                   const struct fuse_opt opts[], fuse_opt_proc_t proc)
{
    if (!args || !args->argv || args->argc <= 0)
        return 0;

    struct opt_parser p = {
        .data = data,
        .templates = opts,
        .proc = proc,
        .argc = args->argc,
        .argv = args->argv,
    };

    int result = run_parser(&p);
    if (result == 0) {
        struct fuse_args old = *args;
        *args = p.out;
        p.out = old;
    }
    free(p.kept_opts);
    fuse_opt_free_args(&p.out);
    return result;
}
