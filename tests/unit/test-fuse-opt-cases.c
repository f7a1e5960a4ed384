/*
 * tests/unit/test-fuse-opt-cases.c - tests of the libfuse-compatible option
 * parser (group "fuse_opt"). They use only the public fuse_opt API, so they
 * build against LinFsp's src/fuse/fuse_opt.c and against the real libfuse3
 * alike; every expectation here holds for both.
 */
#include "fuse_opt.h"
#include "tlib.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuse_opt_tests(void);

/* ---- helpers ---- */

/* A NULL terminated argument vector literal. */
#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static int count_args(char **v)
{
    int n = 0;
    while (v[n])
        n++;
    return n;
}

static struct fuse_args borrowed(char **v)
{
    struct fuse_args a = FUSE_ARGS_INIT(count_args(v), v);
    return a;
}

/* Compare an argument vector with the expected one, printing both on mismatch. */
static int same_args(const struct fuse_args *a, char **expect)
{
    int n = count_args(expect);
    int ok = a->argc == n && a->argv && a->argv[a->argc] == NULL;
    for (int i = 0; ok && i < n; i++)
        ok = 0 == strcmp(a->argv[i], expect[i]);
    if (!ok) {
        fprintf(stderr, "    got %d:", a->argc);
        for (int i = 0; a->argv && i < a->argc; i++)
            fprintf(stderr, " [%s]", a->argv[i]);
        fprintf(stderr, "\n    expected %d:", n);
        for (int i = 0; i < n; i++)
            fprintf(stderr, " [%s]", expect[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}
#define ASSERT_ARGS(a, ...) ASSERT(same_args((a), ARGV(__VA_ARGS__)))

#define ASSERT_STR(s, expect)                                                          \
    do {                                                                               \
        const char *s_ = (s);                                                          \
        if (!s_ || strcmp(s_, (expect))) {                                             \
            fprintf(stderr, "    got \"%s\", expected \"%s\"\n", s_ ? s_ : "(null)", \
                    (expect));                                                         \
            ASSERT(!"string mismatch");                                                \
        }                                                                              \
    } while (0)

/* What the processing function saw, and what it answers. */
#define MAX_CALLS 32
struct rec {
    int n;
    int keys[MAX_CALLS];
    char args[MAX_CALLS][128];
};

struct cfg {
    int flag, flag2;
    char *str;
    unsigned u;
    unsigned long lu;
    int d, i;
    unsigned o, x;
    long long ll;
    double f;
    int ret;        /* verdict of record_proc */
    struct rec rec;
};

#define OPT(t, member, v) { t, offsetof(struct cfg, member), v }

static void cfg_init(struct cfg *c)
{
    memset(c, 0, sizeof *c);
    c->ret = 1;
}

static int record_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct cfg *c = data;
    (void)outargs;
    if (c->rec.n < MAX_CALLS) {
        c->rec.keys[c->rec.n] = key;
        snprintf(c->rec.args[c->rec.n], sizeof c->rec.args[0], "%s", arg);
    }
    c->rec.n++;
    return c->ret;
}

/* Assert that call number idx had this key and argument. */
static int saw_call(const struct cfg *c, int idx, int key, const char *arg)
{
    int ok = idx < c->rec.n && idx < MAX_CALLS && c->rec.keys[idx] == key &&
             0 == strcmp(c->rec.args[idx], arg);
    if (!ok) {
        fprintf(stderr, "    call %d: expected key %d [%s]; calls:", idx, key, arg);
        for (int i = 0; i < c->rec.n && i < MAX_CALLS; i++)
            fprintf(stderr, " (%d [%s])", c->rec.keys[i], c->rec.args[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}
#define ASSERT_CALL(c, idx, key, arg) ASSERT(saw_call((c), (idx), (key), (arg)))

/* Capture what is written to stderr (fd 2) between begin and end. */
static FILE *cap_file;
static int cap_saved = -1;

static void capture_begin(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    ASSERT(cap_file);
    cap_saved = dup(2);
    ASSERT(cap_saved >= 0);
    ASSERT(dup2(fileno(cap_file), 2) == 2);
}

static void capture_end(char *buf, size_t size)
{
    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    cap_saved = -1;
    rewind(cap_file);
    size_t n = fread(buf, 1, size - 1, cap_file);
    buf[n] = '\0';
    fclose(cap_file);
    cap_file = NULL;
}

/* ---- argument vectors and option lists ---- */

static void fuse_opt_add_insert_free_test(void)
{
    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    ASSERT_EQ(fuse_opt_add_arg(&a, "a"), 0);
    ASSERT_EQ(a.allocated, 1);
    ASSERT_EQ(fuse_opt_add_arg(&a, "b"), 0);
    ASSERT_ARGS(&a, "a", "b");
    ASSERT_EQ(fuse_opt_insert_arg(&a, 0, "z"), 0);
    ASSERT_ARGS(&a, "z", "a", "b");
    ASSERT_EQ(fuse_opt_insert_arg(&a, 3, "e"), 0); /* at argc: appends */
    ASSERT_ARGS(&a, "z", "a", "b", "e");
    ASSERT_EQ(fuse_opt_insert_arg(&a, 2, "m"), 0);
    ASSERT_ARGS(&a, "z", "a", "m", "b", "e");
    ASSERT_EQ(fuse_opt_add_arg(&a, ""), 0);
    ASSERT_ARGS(&a, "z", "a", "m", "b", "e", "");

    /* the strings are copies */
    char buf[] = "copy";
    ASSERT_EQ(fuse_opt_add_arg(&a, buf), 0);
    buf[0] = 'X';
    ASSERT_STR(a.argv[a.argc - 1], "copy");

    fuse_opt_free_args(&a);
    ASSERT_EQ(a.argc, 0);
    ASSERT(a.argv == NULL);
    ASSERT_EQ(a.allocated, 0);
    fuse_opt_free_args(&a); /* again: harmless */
    ASSERT(a.argv == NULL);
    fuse_opt_free_args(NULL);
}

static void fuse_opt_free_borrowed_test(void)
{
    char **v = ARGV("prog", "x");
    struct fuse_args a = borrowed(v);
    fuse_opt_free_args(&a); /* not freed (ASan would object), but reset */
    ASSERT_EQ(a.argc, 0);
    ASSERT(a.argv == NULL);
    ASSERT_EQ(a.allocated, 0);
    ASSERT_STR(v[1], "x");
}

static void fuse_opt_add_opt_test(void)
{
    char *opts = NULL;
    ASSERT_EQ(fuse_opt_add_opt(&opts, "a"), 0);
    ASSERT_STR(opts, "a");
    ASSERT_EQ(fuse_opt_add_opt(&opts, "b,c"), 0); /* added as is */
    ASSERT_STR(opts, "a,b,c");
    ASSERT_EQ(fuse_opt_add_opt(&opts, "x\\y"), 0);
    ASSERT_STR(opts, "a,b,c,x\\y");
    ASSERT_EQ(fuse_opt_add_opt_escaped(&opts, "d,e\\f"), 0);
    ASSERT_STR(opts, "a,b,c,x\\y,d\\,e\\\\f");
    ASSERT_EQ(fuse_opt_add_opt(&opts, ""), 0);
    ASSERT_STR(opts, "a,b,c,x\\y,d\\,e\\\\f,");
    free(opts);

    /* an empty list takes the next option without a leading comma */
    opts = NULL;
    ASSERT_EQ(fuse_opt_add_opt(&opts, ""), 0);
    ASSERT_STR(opts, "");
    ASSERT_EQ(fuse_opt_add_opt(&opts, "y"), 0);
    ASSERT_STR(opts, "y");
    free(opts);

    opts = NULL;
    ASSERT_EQ(fuse_opt_add_opt_escaped(&opts, ",\\,"), 0);
    ASSERT_STR(opts, "\\,\\\\\\,");
    ASSERT_EQ(fuse_opt_add_opt_escaped(&opts, "plain"), 0);
    ASSERT_STR(opts, "\\,\\\\\\,,plain");
    free(opts);
}

static void fuse_opt_match_test(void)
{
    static const struct fuse_opt t[] = {
        FUSE_OPT_KEY("-x", 1),     FUSE_OPT_KEY("--foo", 2), FUSE_OPT_KEY("bar", 3),
        FUSE_OPT_KEY("baz=", 4),   FUSE_OPT_KEY("-p ", 5),   FUSE_OPT_KEY("k=v", 6),
        {"n=%u", 0, 0},            {"-q %s", 0, 0},          {"--long=%lu", 0, 0},
        FUSE_OPT_END,
    };
    static const struct {
        const char *opt;
        int match;
    } cases[] = {
        {"-x", 1},    {"-xy", 0},     {"x", 0},         {"--foo", 1},    {"--foobar", 0},
        {"bar", 1},   {"-obar", 0},   {"baz=", 1},      {"baz=1", 1},    {"baz", 0},
        {"n=5", 1},   {"n=", 1},      {"n", 0},         {"-p", 1},       {"-pfoo", 1},
        {"-q", 1},    {"-qz", 1},     {"k=v", 1},       {"k=w", 0},      {"k=", 0},
        {"--long=", 1}, {"--long", 0}, {"", 0},         {"-", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int m = fuse_opt_match(t, cases[i].opt);
        if (m != cases[i].match)
            fprintf(stderr, "    \"%s\": %d\n", cases[i].opt, m);
        ASSERT_EQ(m, cases[i].match);
    }
    ASSERT_EQ(fuse_opt_match(NULL, "-x"), 0);
    static const struct fuse_opt none[] = {FUSE_OPT_END};
    ASSERT_EQ(fuse_opt_match(none, "-x"), 0);
}

/* ---- fuse_opt_parse: the basics ---- */

static void fuse_opt_parse_nothing_test(void)
{
    ASSERT_EQ(fuse_opt_parse(NULL, NULL, NULL, NULL), 0);

    struct fuse_args a = FUSE_ARGS_INIT(0, NULL);
    ASSERT_EQ(fuse_opt_parse(&a, NULL, NULL, NULL), 0);
    ASSERT_EQ(a.argc, 0);
    ASSERT(a.argv == NULL);

    char **v = ARGV("prog");
    struct fuse_args b = FUSE_ARGS_INIT(0, v); /* argc 0: left alone */
    ASSERT_EQ(fuse_opt_parse(&b, NULL, NULL, NULL), 0);
    ASSERT(b.argv == v);
    ASSERT_EQ(b.allocated, 0);

    /* only argv[0]: copied into an allocated vector */
    struct fuse_args c = borrowed(v);
    ASSERT_EQ(fuse_opt_parse(&c, NULL, NULL, NULL), 0);
    ASSERT_EQ(c.allocated, 1);
    ASSERT(c.argv != v);
    ASSERT_ARGS(&c, "prog");
    fuse_opt_free_args(&c);
}

static void fuse_opt_passthrough_test(void)
{
    /* no templates, no processing function: everything is kept, and the -o
       lists are gathered into one "-o" right after argv[0] */
    struct fuse_args a = borrowed(ARGV("prog", "a", "-o", "x", "-b", "-oy,z", "c", "--long"));
    ASSERT_EQ(fuse_opt_parse(&a, NULL, NULL, NULL), 0);
    ASSERT_EQ(a.allocated, 1);
    ASSERT_ARGS(&a, "prog", "-o", "x,y,z", "a", "-b", "c", "--long");
    fuse_opt_free_args(&a);

    struct fuse_args b = borrowed(ARGV("prog", "mnt", "-f"));
    ASSERT_EQ(fuse_opt_parse(&b, NULL, NULL, NULL), 0);
    ASSERT_ARGS(&b, "prog", "mnt", "-f");
    fuse_opt_free_args(&b);
}

static void fuse_opt_flag_test(void)
{
    static const struct fuse_opt t[] = {
        OPT("-d", flag, 1), OPT("--debug", flag2, 7), OPT("debug", flag, 2),
        OPT("nodebug", flag, 0), FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-d", "--debug", "x", "-o", "debug"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 2); /* the last one wins */
    ASSERT_EQ(c.flag2, 7);
    ASSERT_ARGS(&a, "p", "x"); /* matched options are consumed */
    ASSERT_EQ(c.rec.n, 1);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_NONOPT, "x");
    fuse_opt_free_args(&a);

    cfg_init(&c);
    c.flag = 5;
    struct fuse_args b = borrowed(ARGV("p", "-onodebug"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, NULL), 0);
    ASSERT_EQ(c.flag, 0);
    ASSERT_ARGS(&b, "p");
    fuse_opt_free_args(&b);
}

static void fuse_opt_value_formats_test(void)
{
    static const struct fuse_opt t[] = {
        OPT("--name=%s", str, 0), OPT("u=%u", u, 0),   OPT("lu=%lu", lu, 0),
        OPT("d=%d", d, 0),        OPT("i=%i", i, 0),   OPT("o=%o", o, 0),
        OPT("x=%x", x, 0),        OPT("ll=%lld", ll, 0), OPT("f=%lf", f, 0),
        OPT("--num=%u", u, 0),    FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    c.str = strdup("old"); /* replaced and freed (ASan checks the leak) */
    ASSERT(c.str);
    struct fuse_args a = borrowed(ARGV("p", "--name=hello world",
        "-o", "u=42,lu=123456789012,d=-5,i=0x10,o=755,x=ff,ll=-9000000000,f=2.5", "mnt"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, NULL), 0);
    ASSERT_STR(c.str, "hello world");
    ASSERT_EQ(c.u, 42);
    ASSERT_EQ(c.lu, 123456789012UL);
    ASSERT_EQ(c.d, -5);
    ASSERT_EQ(c.i, 16);
    ASSERT_EQ(c.o, 0755);
    ASSERT_EQ(c.x, 0xff);
    ASSERT_EQ(c.ll, -9000000000LL);
    ASSERT(c.f == 2.5);
    ASSERT_ARGS(&a, "p", "mnt");
    fuse_opt_free_args(&a);

    /* scanf semantics: trailing text after the number is ignored */
    struct fuse_args b = borrowed(ARGV("p", "--num=7abc", "-o", "d=+3"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, NULL), 0);
    ASSERT_EQ(c.u, 7);
    ASSERT_EQ(c.d, 3);
    fuse_opt_free_args(&b);
    free(c.str);
}

static void fuse_opt_string_replace_test(void)
{
    static const struct fuse_opt t[] = {OPT("name=%s", str, 0), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "name=a,name=b", "-oname=c"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, NULL), 0);
    ASSERT_STR(c.str, "c"); /* "a" and "b" were freed on replacement */
    ASSERT_ARGS(&a, "p");
    fuse_opt_free_args(&a);

    /* an empty parameter gives an empty string */
    struct fuse_args b = borrowed(ARGV("p", "-oname="));
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, NULL), 0);
    ASSERT_STR(c.str, "");
    fuse_opt_free_args(&b);

    /* "name" alone does not match "name=%s": an unknown option, kept */
    struct fuse_args d = borrowed(ARGV("p", "-oname"));
    ASSERT_EQ(fuse_opt_parse(&d, &c, t, NULL), 0);
    ASSERT_STR(c.str, "");
    ASSERT_ARGS(&d, "p", "-o", "name");
    fuse_opt_free_args(&d);
    free(c.str);
}

static void fuse_opt_invalid_param_test(void)
{
    static const struct fuse_opt t[] = {OPT("u=%u", u, 0), OPT("-n %d", d, 0), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    char **v = ARGV("p", "x", "-o", "u=abc");
    struct fuse_args a = borrowed(v);
    char msg[256];
    capture_begin();
    int r = fuse_opt_parse(&a, &c, t, NULL);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: invalid parameter in option `u=abc'\n");
    /* on error the arguments are left as they were */
    ASSERT(a.argv == v);
    ASSERT_EQ(a.argc, 4);
    ASSERT_EQ(a.allocated, 0);

    /* an empty numeric parameter is invalid too */
    struct fuse_args b = borrowed(ARGV("p", "-ou="));
    capture_begin();
    r = fuse_opt_parse(&b, &c, t, NULL);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: invalid parameter in option `u='\n");

    /* with a separate value, the message shows the joined option */
    struct fuse_args d = borrowed(ARGV("p", "-n", "zz"));
    capture_begin();
    r = fuse_opt_parse(&d, &c, t, NULL);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: invalid parameter in option `-nzz'\n");
}

/* ---- key templates ---- */

static void fuse_opt_key_prefix_test(void)
{
    static const struct fuse_opt t[] = {
        FUSE_OPT_KEY("foo=", 10), FUSE_OPT_KEY("--bar=", 11), FUSE_OPT_KEY("exact", 12),
        FUSE_OPT_KEY("-e", 13), FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "foo=bar,foo,foo=", "--bar=1", "--bar",
                                        "-oexact", "-e", "-ee", "mnt"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.rec.n, 9);
    ASSERT_CALL(&c, 0, 10, "foo=bar");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "foo");
    ASSERT_CALL(&c, 2, 10, "foo=");
    ASSERT_CALL(&c, 3, 11, "--bar=1");
    ASSERT_CALL(&c, 4, FUSE_OPT_KEY_OPT, "--bar");
    ASSERT_CALL(&c, 5, 12, "exact");
    ASSERT_CALL(&c, 6, 13, "-e");
    ASSERT_CALL(&c, 7, FUSE_OPT_KEY_OPT, "-ee");
    ASSERT_CALL(&c, 8, FUSE_OPT_KEY_NONOPT, "mnt");
    ASSERT_ARGS(&a, "p", "-o", "foo=bar,foo,foo=,exact", "--bar=1", "--bar", "-e", "-ee", "mnt");
    fuse_opt_free_args(&a);
}

static void fuse_opt_separate_key_test(void)
{
    /* "-x ": "-xVALUE" or "-x VALUE"; the function always sees "-xVALUE" */
    static const struct fuse_opt t[] = {FUSE_OPT_KEY("-x ", 11), FUSE_OPT_KEY("--opt ", 12),
                                        FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-x", "val", "-xjoined", "mnt", "--opt", "v2",
                                        "-x", "-y"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.rec.n, 5);
    ASSERT_CALL(&c, 0, 11, "-xval");
    ASSERT_CALL(&c, 1, 11, "-xjoined");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_NONOPT, "mnt");
    ASSERT_CALL(&c, 3, 12, "--optv2");
    ASSERT_CALL(&c, 4, 11, "-x-y"); /* the next argument is taken whatever it is */
    ASSERT_ARGS(&a, "p", "-xval", "-xjoined", "mnt", "--optv2", "-x-y");
    fuse_opt_free_args(&a);
}

static void fuse_opt_separate_value_test(void)
{
    static const struct fuse_opt t[] = {
        OPT("-y %s", str, 0), OPT("-n %u", u, 0), OPT("-z ", flag, 9), OPT("--lu %lu", lu, 0),
        FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-y", "one", "-ytwo", "-n", "5", "-z", "gone",
                                        "--lu", "99", "mnt"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_STR(c.str, "two");
    ASSERT_EQ(c.u, 5);
    ASSERT_EQ(c.flag, 9);
    ASSERT_EQ(c.lu, 99);
    ASSERT_EQ(c.rec.n, 1);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_NONOPT, "mnt");
    ASSERT_ARGS(&a, "p", "mnt");
    fuse_opt_free_args(&a);

    /* joined forms */
    struct fuse_args b = borrowed(ARGV("p", "-n12", "-zjoined", "-y"  "x y"));
    c.flag = 0;
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, NULL), 0);
    ASSERT_EQ(c.u, 12);
    ASSERT_EQ(c.flag, 9);
    ASSERT_STR(c.str, "x y");
    ASSERT_ARGS(&b, "p");
    fuse_opt_free_args(&b);
    free(c.str);
}

static void fuse_opt_missing_arg_test(void)
{
    static const struct fuse_opt t[] = {OPT("-y %s", str, 0), FUSE_OPT_KEY("-k ", 3),
                                        FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    char msg[256];

    char **v = ARGV("p", "mnt", "-y");
    struct fuse_args a = borrowed(v);
    capture_begin();
    int r = fuse_opt_parse(&a, &c, t, record_proc);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: missing argument after `-y'\n");
    ASSERT(a.argv == v);
    ASSERT_EQ(a.argc, 3);
    ASSERT(c.str == NULL);

    struct fuse_args b = borrowed(ARGV("p", "-k"));
    capture_begin();
    r = fuse_opt_parse(&b, &c, t, record_proc);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: missing argument after `-k'\n");

    struct fuse_args d = borrowed(ARGV("p", "mnt", "-o"));
    capture_begin();
    r = fuse_opt_parse(&d, &c, t, record_proc);
    capture_end(msg, sizeof msg);
    ASSERT_EQ(r, -1);
    ASSERT_STR(msg, "fuse: missing argument after `-o'\n");
    ASSERT_EQ(d.allocated, 0);
}

static void fuse_opt_multiple_match_test(void)
{
    /* every matching template acts, in array order */
    static const struct fuse_opt t[] = {
        OPT("-v", flag, 1), FUSE_OPT_KEY("-v", 20), OPT("-v", flag2, 2),
        FUSE_OPT_KEY("-w", 21), FUSE_OPT_KEY("-w", 22),
        OPT("size=%u", u, 0), FUSE_OPT_KEY("size=", 23), FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-v", "-w", "-osize=8"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 1);
    ASSERT_EQ(c.flag2, 2);
    ASSERT_EQ(c.u, 8);
    ASSERT_EQ(c.rec.n, 4);
    ASSERT_CALL(&c, 0, 20, "-v");
    ASSERT_CALL(&c, 1, 21, "-w");
    ASSERT_CALL(&c, 2, 22, "-w");
    ASSERT_CALL(&c, 3, 23, "size=8");
    ASSERT_ARGS(&a, "p", "-o", "size=8", "-v", "-w", "-w"); /* kept once per keeping key */
    fuse_opt_free_args(&a);
}

static void fuse_opt_keep_discard_test(void)
{
    static const struct fuse_opt t[] = {
        FUSE_OPT_KEY("-k", FUSE_OPT_KEY_KEEP),   FUSE_OPT_KEY("-d", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_KEY("keep", FUSE_OPT_KEY_KEEP), FUSE_OPT_KEY("drop", FUSE_OPT_KEY_DISCARD),
        FUSE_OPT_KEY("k=", FUSE_OPT_KEY_KEEP),   FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    c.ret = 0; /* the function drops whatever it sees */
    struct fuse_args a = borrowed(ARGV("p", "-k", "-d", "-o", "keep,drop,other,k=1", "mnt"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.rec.n, 2); /* KEEP and DISCARD never reach the function */
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "other");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_NONOPT, "mnt");
    ASSERT_ARGS(&a, "p", "-o", "keep,k=1", "-k");
    fuse_opt_free_args(&a);

    /* without a processing function */
    struct fuse_args b = borrowed(ARGV("p", "-d", "-k", "-odrop", "x"));
    ASSERT_EQ(fuse_opt_parse(&b, NULL, t, NULL), 0);
    ASSERT_ARGS(&b, "p", "-k", "x");
    fuse_opt_free_args(&b);
}

static int verdict_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct cfg *c = data;
    (void)outargs;
    (void)key;
    c->rec.n++;
    return 'r' == arg[0] ? atoi(arg + 1) : 1;
}

static void fuse_opt_proc_verdict_test(void)
{
    struct cfg c;
    cfg_init(&c);
    /* 0 drops; 1 keeps; any other value except -1 keeps too */
    struct fuse_args a = borrowed(ARGV("p", "r0", "r1", "r2", "r-2", "-o", "r0,r1,r-3,r7"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, NULL, verdict_proc), 0);
    ASSERT_EQ(c.rec.n, 8);
    ASSERT_ARGS(&a, "p", "-o", "r1,r-3,r7", "r1", "r2", "r-2");
    fuse_opt_free_args(&a);

    /* -1 stops at once: an error, arguments unchanged, nothing leaked */
    cfg_init(&c);
    char **v = ARGV("p", "r1", "-o", "r1,x", "r-1", "r1");
    struct fuse_args b = borrowed(v);
    ASSERT_EQ(fuse_opt_parse(&b, &c, NULL, verdict_proc), -1);
    ASSERT_EQ(c.rec.n, 4);
    ASSERT(b.argv == v);
    ASSERT_EQ(b.argc, 6);
    ASSERT_EQ(b.allocated, 0);

    /* -1 from inside a -o list */
    cfg_init(&c);
    struct fuse_args d = borrowed(ARGV("p", "-o", "a,r-1,b"));
    ASSERT_EQ(fuse_opt_parse(&d, &c, NULL, verdict_proc), -1);
    ASSERT_EQ(c.rec.n, 2);
}

static void fuse_opt_keys_test(void)
{
    static const struct fuse_opt t[] = {OPT("-known", flag, 1), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-u", "--unk", "-", "plain", "", "-known",
                                        "-o", "unknown", "/abs/path"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 1);
    ASSERT_EQ(c.rec.n, 7);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "-u");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "--unk");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "-");
    ASSERT_CALL(&c, 3, FUSE_OPT_KEY_NONOPT, "plain");
    ASSERT_CALL(&c, 4, FUSE_OPT_KEY_NONOPT, "");
    ASSERT_CALL(&c, 5, FUSE_OPT_KEY_OPT, "unknown");
    ASSERT_CALL(&c, 6, FUSE_OPT_KEY_NONOPT, "/abs/path");
    ASSERT_ARGS(&a, "p", "-o", "unknown", "-u", "--unk", "-", "plain", "", "/abs/path");
    fuse_opt_free_args(&a);
}

/* ---- "--" ---- */

static void fuse_opt_dashdash_test(void)
{
    static const struct fuse_opt t[] = {OPT("-x", flag, 1), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "a", "--", "-x", "-o", "opt", "--", "b"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 0); /* "-x" after "--" is not an option */
    ASSERT_EQ(c.rec.n, 6);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_NONOPT, "a");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_NONOPT, "-x");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_NONOPT, "-o");
    ASSERT_CALL(&c, 3, FUSE_OPT_KEY_NONOPT, "opt");
    ASSERT_CALL(&c, 4, FUSE_OPT_KEY_NONOPT, "--");
    ASSERT_CALL(&c, 5, FUSE_OPT_KEY_NONOPT, "b");
    ASSERT_ARGS(&a, "p", "a", "--", "-x", "-o", "opt", "--", "b");
    fuse_opt_free_args(&a);

    /* a trailing "--" is dropped */
    struct fuse_args b = borrowed(ARGV("p", "a", "--"));
    ASSERT_EQ(fuse_opt_parse(&b, NULL, t, NULL), 0);
    ASSERT_ARGS(&b, "p", "a");
    fuse_opt_free_args(&b);

    struct fuse_args d = borrowed(ARGV("p", "--"));
    ASSERT_EQ(fuse_opt_parse(&d, NULL, t, NULL), 0);
    ASSERT_ARGS(&d, "p");
    fuse_opt_free_args(&d);

    /* ... also when everything after it was dropped */
    cfg_init(&c);
    c.ret = 0;
    struct fuse_args e = borrowed(ARGV("p", "-x", "--", "gone", "-x"));
    ASSERT_EQ(fuse_opt_parse(&e, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 1);
    ASSERT_ARGS(&e, "p");
    fuse_opt_free_args(&e);

    /* libfuse quirk: with a "-o" list in the output the trailing "--" stays */
    struct fuse_args f = borrowed(ARGV("p", "-o", "x", "--"));
    ASSERT_EQ(fuse_opt_parse(&f, NULL, t, NULL), 0);
    ASSERT_ARGS(&f, "p", "-o", "x", "--");
    fuse_opt_free_args(&f);
}

/* ---- -o lists: escapes, empty elements, joined form ---- */

static void fuse_opt_escape_test(void)
{
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "a\\,b,c\\\\d,e\\054f,g\\h,\\101\\0618,i\\"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, NULL, record_proc), 0);
    ASSERT_EQ(c.rec.n, 6);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "a,b");    /* "\," is a comma */
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "c\\d");   /* "\\" is a backslash */
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "e,f");    /* "\054" is octal for ',' */
    ASSERT_CALL(&c, 3, FUSE_OPT_KEY_OPT, "gh");     /* any other escaped char is itself */
    ASSERT_CALL(&c, 4, FUSE_OPT_KEY_OPT, "A18");    /* "\101" = 'A', "\061" = '1' */
    ASSERT_CALL(&c, 5, FUSE_OPT_KEY_OPT, "i\\");    /* a trailing backslash stays */
    /* kept elements are escaped again */
    ASSERT_ARGS(&a, "p", "-o", "a\\,b,c\\\\d,e\\,f,gh,A18,i\\\\");
    fuse_opt_free_args(&a);

    /* not octal: first digit above 3, or fewer than three digits */
    cfg_init(&c);
    struct fuse_args b = borrowed(ARGV("p", "-o\\400,\\07,\\08x"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, NULL, record_proc), 0);
    ASSERT_EQ(c.rec.n, 3);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "400");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "07");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "08x");
    fuse_opt_free_args(&b);

    /* templates see the unescaped text */
    static const struct fuse_opt t[] = {OPT("name=%s", str, 0), FUSE_OPT_END};
    cfg_init(&c);
    struct fuse_args d = borrowed(ARGV("p", "-o", "name=x\\,y\\\\z,other"));
    ASSERT_EQ(fuse_opt_parse(&d, &c, t, NULL), 0);
    ASSERT_STR(c.str, "x,y\\z");
    ASSERT_ARGS(&d, "p", "-o", "other");
    fuse_opt_free_args(&d);
    free(c.str);

    /* outside of -o, commas and backslashes are ordinary */
    struct fuse_args e = borrowed(ARGV("p", "-a,b\\,c", "x,y"));
    ASSERT_EQ(fuse_opt_parse(&e, NULL, NULL, NULL), 0);
    ASSERT_ARGS(&e, "p", "-a,b\\,c", "x,y");
    fuse_opt_free_args(&e);
}

static void fuse_opt_empty_elements_test(void)
{
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "a,,b"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, NULL, record_proc), 0);
    ASSERT_EQ(c.rec.n, 3);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "a");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "b");
    ASSERT_ARGS(&a, "p", "-o", "a,,b");
    fuse_opt_free_args(&a);

    /* empty elements at the start of the joined list vanish, later ones stay */
    cfg_init(&c);
    struct fuse_args b = borrowed(ARGV("p", "-o", ",", "-o", "", "-ox,", "-o,y"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, NULL, record_proc), 0);
    ASSERT_EQ(c.rec.n, 7);
    ASSERT_ARGS(&b, "p", "-o", "x,,,y");
    fuse_opt_free_args(&b);

    struct fuse_args d = borrowed(ARGV("p", "-o", ""));
    ASSERT_EQ(fuse_opt_parse(&d, NULL, NULL, NULL), 0);
    ASSERT_ARGS(&d, "p", "-o", "");
    fuse_opt_free_args(&d);
}

static void fuse_opt_joined_and_order_test(void)
{
    static const struct fuse_opt t[] = {OPT("ro", flag, 1), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-oa,ro", "m1", "-o", "b", "-f", "-oc", "m2"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, NULL), 0);
    ASSERT_EQ(c.flag, 1);
    ASSERT_ARGS(&a, "p", "-o", "a,b,c", "m1", "-f", "m2");
    fuse_opt_free_args(&a);

    /* "-o" takes the next argument even when it looks like an option */
    struct fuse_args b = borrowed(ARGV("p", "-o", "-f", "x"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, NULL), 0);
    ASSERT_ARGS(&b, "p", "-o", "-f", "x");
    fuse_opt_free_args(&b);
}

static void fuse_opt_separate_in_list_test(void)
{
    /* a "foo " template matched inside a -o list takes the next command line
       argument as its value (libfuse behaviour) */
    static const struct fuse_opt t[] = {FUSE_OPT_KEY("foo ", 30), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "foo,bar", "next", "mnt"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.rec.n, 3);
    ASSERT_CALL(&c, 0, 30, "foonext");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "bar");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_NONOPT, "mnt");
    ASSERT_ARGS(&a, "p", "-o", "foonext,bar", "mnt");
    fuse_opt_free_args(&a);
}

static void fuse_opt_exact_equals_test(void)
{
    /* "=" not followed by a format: only the identical option matches */
    static const struct fuse_opt t[] = {OPT("mode=fast", flag, 3), FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("p", "-o", "mode=slow,mode=fast,mode=", "-omode=fastest"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 3);
    ASSERT_EQ(c.rec.n, 3);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_OPT, "mode=slow");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "mode=");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "mode=fastest");
    fuse_opt_free_args(&a);
}

/* ---- the processing function and outargs ---- */

static int editing_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data;
    if (key == FUSE_OPT_KEY_NONOPT && 0 == strcmp(arg, "mnt")) {
        /* replace the mount point by two arguments, and put one up front */
        if (fuse_opt_add_arg(outargs, "/real/mnt") == -1 ||
            fuse_opt_add_arg(outargs, "-s") == -1 ||
            fuse_opt_insert_arg(outargs, 1, "-first") == -1)
            return -1;
        return 0;
    }
    if (key == 40) {
        if (fuse_opt_add_arg(outargs, "-d") == -1)
            return -1;
        return 0;
    }
    return 1;
}

static void fuse_opt_proc_outargs_test(void)
{
    static const struct fuse_opt t[] = {FUSE_OPT_KEY("debug", 40), FUSE_OPT_END};
    struct fuse_args a = borrowed(ARGV("p", "-a", "mnt", "-o", "x,debug", "z"));
    ASSERT_EQ(fuse_opt_parse(&a, NULL, t, editing_proc), 0);
    ASSERT_ARGS(&a, "p", "-o", "x", "-first", "-a", "/real/mnt", "-s", "-d", "z");
    fuse_opt_free_args(&a);
}

static int data_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)arg;
    (void)outargs;
    *(int *)data += key;
    return 0;
}

static void fuse_opt_proc_data_test(void)
{
    static const struct fuse_opt t[] = {FUSE_OPT_KEY("-a", 100), FUSE_OPT_KEY("b", 1000),
                                        FUSE_OPT_END};
    int sum = 0;
    struct fuse_args a = borrowed(ARGV("p", "-a", "-ob", "-a"));
    ASSERT_EQ(fuse_opt_parse(&a, &sum, t, data_proc), 0);
    ASSERT_EQ(sum, 1200);
    ASSERT_ARGS(&a, "p");
    fuse_opt_free_args(&a);
}

/* ---- typical use ---- */

struct hello_options {
    const char *filename;
    const char *contents;
    int show_help;
};
#define HELLO_OPT(t, m) { t, offsetof(struct hello_options, m), 1 }

static void fuse_opt_hello_example_test(void)
{
    /* the pattern of libfuse's hello example: defaults set with strdup() */
    static const struct fuse_opt t[] = {
        HELLO_OPT("--name=%s", filename), HELLO_OPT("--contents=%s", contents),
        HELLO_OPT("-h", show_help), HELLO_OPT("--help", show_help), FUSE_OPT_END,
    };
    struct hello_options o = {strdup("hello"), strdup("Hello World!\n"), 0};
    ASSERT(o.filename && o.contents);
    struct fuse_args a = borrowed(ARGV("hello", "--name=greeting", "mnt", "-f",
                                        "--contents=hi there", "-o", "allow_other"));
    ASSERT_EQ(fuse_opt_parse(&a, &o, t, NULL), 0);
    ASSERT_STR(o.filename, "greeting");
    ASSERT_STR(o.contents, "hi there");
    ASSERT_EQ(o.show_help, 0);
    ASSERT_ARGS(&a, "hello", "-o", "allow_other", "mnt", "-f");

    /* parse the result again, as libfuse itself does with its own templates */
    ASSERT_EQ(a.allocated, 1);
    ASSERT_EQ(fuse_opt_parse(&a, &o, t, NULL), 0); /* the old vector is freed (ASan) */
    ASSERT_ARGS(&a, "hello", "-o", "allow_other", "mnt", "-f");
    ASSERT_EQ(fuse_opt_add_arg(&a, "--help"), 0);
    ASSERT_EQ(fuse_opt_parse(&a, &o, t, NULL), 0);
    ASSERT_EQ(o.show_help, 1);
    ASSERT_ARGS(&a, "hello", "-o", "allow_other", "mnt", "-f");
    fuse_opt_free_args(&a);
    free((void *)o.filename);
    free((void *)o.contents);
}

static void fuse_opt_mount_style_test(void)
{
    /* a mount helper style command line: options collected, -o merged */
    static const struct fuse_opt t[] = {
        FUSE_OPT_KEY("-f", FUSE_OPT_KEY_DISCARD), OPT("-d", flag, 1), OPT("debug", flag, 1),
        OPT("uid=%u", u, 0), FUSE_OPT_KEY("ro", FUSE_OPT_KEY_KEEP), FUSE_OPT_END,
    };
    struct cfg c;
    cfg_init(&c);
    struct fuse_args a = borrowed(ARGV("memfs", "-f", "/mnt/x", "-o", "ro,uid=1000,debug",
                                        "-o", "fsname=memfs,subtype=memfs"));
    ASSERT_EQ(fuse_opt_parse(&a, &c, t, record_proc), 0);
    ASSERT_EQ(c.flag, 1);
    ASSERT_EQ(c.u, 1000);
    ASSERT_EQ(c.rec.n, 3);
    ASSERT_CALL(&c, 0, FUSE_OPT_KEY_NONOPT, "/mnt/x");
    ASSERT_CALL(&c, 1, FUSE_OPT_KEY_OPT, "fsname=memfs");
    ASSERT_CALL(&c, 2, FUSE_OPT_KEY_OPT, "subtype=memfs");
    ASSERT_ARGS(&a, "memfs", "-o", "ro,fsname=memfs,subtype=memfs", "/mnt/x");
    fuse_opt_free_args(&a);
}

#ifdef LINFSP_FUSE_OPT_H_INCLUDED
/*
 * LinFsp only: cases where libfuse asserts (or misbehaves) and LinFsp returns
 * an error or does the sensible thing instead. Not built against libfuse.
 */
static void fuse_opt_linfsp_extensions_test(void)
{
    /* adding to a borrowed vector copies it first (libfuse asserts) */
    char **v = ARGV("p", "x");
    struct fuse_args a = borrowed(v);
    ASSERT_EQ(fuse_opt_add_arg(&a, "c"), 0);
    ASSERT_EQ(a.allocated, 1);
    ASSERT(a.argv != v);
    ASSERT_ARGS(&a, "p", "x", "c");
    ASSERT_STR(v[1], "x");
    ASSERT(v[2] == NULL);

    /* an insert position out of range is an error (libfuse asserts) */
    ASSERT_EQ(fuse_opt_insert_arg(&a, -1, "bad"), -1);
    ASSERT_EQ(fuse_opt_insert_arg(&a, 4, "bad"), -1);
    ASSERT_ARGS(&a, "p", "x", "c");
    ASSERT_EQ(fuse_opt_insert_arg(&a, 3, "d"), 0);
    ASSERT_ARGS(&a, "p", "x", "c", "d");
    fuse_opt_free_args(&a);

    /* an offset written as (unsigned long)-1 also means "key" */
    static const struct fuse_opt t[] = {{"-k", (unsigned long)-1, 50}, FUSE_OPT_END};
    struct cfg c;
    cfg_init(&c);
    struct fuse_args b = borrowed(ARGV("p", "-k"));
    ASSERT_EQ(fuse_opt_parse(&b, &c, t, record_proc), 0);
    ASSERT_EQ(c.rec.n, 1);
    ASSERT_CALL(&c, 0, 50, "-k");
    ASSERT_ARGS(&b, "p", "-k");
    fuse_opt_free_args(&b);

    /* NULL arguments are refused rather than dereferenced */
    char *opts = NULL;
    ASSERT_EQ(fuse_opt_add_opt(NULL, "x"), -1);
    ASSERT_EQ(fuse_opt_add_opt(&opts, NULL), -1);
    ASSERT(opts == NULL);
    ASSERT_EQ(fuse_opt_add_arg(NULL, "x"), -1);
    ASSERT_EQ(fuse_opt_match(t, NULL), 0);
}
#endif

void fuse_opt_tests(void)
{
    TLIB_ADD_TEST("fuse_opt", fuse_opt_add_insert_free_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_free_borrowed_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_add_opt_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_match_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_parse_nothing_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_passthrough_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_flag_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_value_formats_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_string_replace_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_invalid_param_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_key_prefix_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_separate_key_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_separate_value_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_missing_arg_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_multiple_match_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_keep_discard_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_proc_verdict_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_keys_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_dashdash_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_escape_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_empty_elements_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_joined_and_order_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_separate_in_list_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_exact_equals_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_proc_outargs_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_proc_data_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_hello_example_test);
    TLIB_ADD_TEST("fuse_opt", fuse_opt_mount_style_test);
#ifdef LINFSP_FUSE_OPT_H_INCLUDED
    TLIB_ADD_TEST("fuse_opt", fuse_opt_linfsp_extensions_test);
#endif
}
