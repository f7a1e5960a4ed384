/*
 * src/fuse/fuse3_module_iconv.c - the iconv module (-o modules=iconv): file names are kept
 * below in one character set (from_code=, default UTF-8) and shown in another (to_code=,
 * default: the locale's). Paths and symlink targets going down are converted to from_code;
 * names readdir lists and targets readlink returns come up in to_code. A name that does not
 * convert is EILSEQ going down and left out of listings going up. Uses glibc's iconv(3).
 */
#include "fuse3_module_pathmap.h"
#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conv {
    struct fuse3_pathmap map; /* first: the layer's private data */
    char *from_code, *to_code;
    pthread_mutex_t lock;     /* an iconv_t keeps state: one conversion at a time */
    iconv_t down, up;         /* to_code -> from_code, from_code -> to_code */
};

/* Convert s with cd into a malloc'ed string. */
static int convert(struct conv *c, iconv_t cd, const char *s, char **out)
{
    size_t inleft = strlen(s), cap = inleft * 4 + 16;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    char *in = (char *)s, *o = buf;
    size_t outleft = cap - 1;
    int err = 0;
    pthread_mutex_lock(&c->lock);
    iconv(cd, 0, 0, 0, 0); /* start from the initial shift state */
    while (inleft > 0) {
        if ((size_t)-1 != iconv(cd, &in, &inleft, &o, &outleft))
            continue;
        if (E2BIG != errno) {
            err = -EILSEQ;
            break;
        }
        size_t used = (size_t)(o - buf);
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            err = -ENOMEM;
            break;
        }
        buf = bigger;
        o = buf + used;
        outleft += cap;
        cap *= 2;
    }
    if (!err && (size_t)-1 == iconv(cd, 0, 0, &o, &outleft)) /* the final shift sequence */
        err = -EILSEQ;
    pthread_mutex_unlock(&c->lock);
    if (err) {
        free(buf);
        return err;
    }
    *o = '\0';
    *out = buf;
    return 0;
}

static int conv_down(struct fuse3_pathmap *m, const char *path, char **out)
{
    struct conv *c = (struct conv *)m;
    return convert(c, c->down, path, out);
}

static int conv_up(struct fuse3_pathmap *m, const char *name, char **out)
{
    struct conv *c = (struct conv *)m;
    return convert(c, c->up, name, out);
}

static void conv_target_up(struct fuse3_pathmap *m, const char *path_below, char *buf, size_t size)
{
    (void)path_below;
    struct conv *c = (struct conv *)m;
    char *up = 0;
    if (0 == convert(c, c->up, buf, &up)) {
        snprintf(buf, size, "%s", up);
        free(up);
    }
}

static void conv_free(struct fuse3_pathmap *m)
{
    struct conv *c = (struct conv *)m;
    if ((iconv_t)-1 != c->down)
        iconv_close(c->down);
    if ((iconv_t)-1 != c->up)
        iconv_close(c->up);
    pthread_mutex_destroy(&c->lock);
    free(c->from_code);
    free(c->to_code);
    free(c);
}

static const struct fuse_opt conv_opts[] = {
    {"from_code=%s", offsetof(struct conv, from_code), 0},
    {"to_code=%s", offsetof(struct conv, to_code), 0},
    FUSE_OPT_KEY("-h", 0),
    FUSE_OPT_KEY("--help", 0),
    FUSE_OPT_END,
};

static int conv_opt(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data, (void)arg, (void)outargs;
    if (0 == key) {
        printf("    -o from_code=CHARSET   original encoding of file names (default: UTF-8)\n"
               "    -o to_code=CHARSET     new encoding of the file names (default: the "
               "locale's)\n");
        return -1;
    }
    return 1;
}

/* The locale's character set (LC_CTYPE from the environment). */
static char *locale_charset(void)
{
    locale_t loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
    if (!loc)
        return strdup("ANSI_X3.4-1968");
    char *cs = strdup(nl_langinfo_l(CODESET, loc));
    freelocale(loc);
    return cs;
}

struct fuse_fs *fuse3_module_iconv(struct fuse_args *args, struct fuse_fs *next[])
{
    struct conv *c = calloc(1, sizeof *c);
    if (!c) {
        fuse_log(FUSE_LOG_ERR, "fuse-iconv: out of memory\n");
        return 0;
    }
    c->down = c->up = (iconv_t)-1;
    pthread_mutex_init(&c->lock, 0);
    c->map.free_state = conv_free;
    if (-1 == fuse_opt_parse(args, c, conv_opts, conv_opt)) {
        conv_free(&c->map);
        return 0;
    }
    if (!next[0] || next[1]) {
        fuse_log(FUSE_LOG_ERR, "fuse-iconv: exactly one next filesystem required\n");
        conv_free(&c->map);
        return 0;
    }
    char *to = c->to_code && c->to_code[0] ? strdup(c->to_code) : locale_charset();
    const char *from = c->from_code ? c->from_code : "UTF-8";
    if (to) {
        c->down = iconv_open(from, to);
        c->up = iconv_open(to, from);
    }
    if (!to || (iconv_t)-1 == c->down || (iconv_t)-1 == c->up) {
        fuse_log(FUSE_LOG_ERR, "fuse-iconv: cannot convert between %s and %s\n", from,
                 to ? to : "?");
        free(to);
        conv_free(&c->map);
        return 0;
    }
    free(to);
    c->map.next = next[0];
    c->map.down = conv_down;
    c->map.name_up = conv_up;
    c->map.target_down = conv_down;
    c->map.target_up = conv_target_up;
    return fuse3_pathmap_new(&c->map);
}
