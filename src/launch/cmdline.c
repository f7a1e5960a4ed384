/*
 * src/launch/cmdline.c - a class's CommandLine: splitting it into words and replacing its %
 * escapes (WinFsp's %0-%9 and %U, %P, %T variables). The rules are in launch-internal.h.
 */
#include "launch-internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void sb_addn(struct strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = true;
            return;
        }
        b->s = ns, b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static char *sb_take(struct strbuf *b)
{
    if (!b->failed && !b->s)
        sb_addn(b, "", 0);
    if (b->failed) {
        free(b->s);
        return 0;
    }
    return b->s;
}

void fsp_cmdline_free(char **words)
{
    if (!words)
        return;
    for (char **w = words; *w; w++)
        free(*w);
    free(words);
}

int fsp_cmdline_split(const char *line, char ***pwords, char *err, size_t errsize)
{
    char **words = calloc(1, sizeof *words);
    size_t n = 0;
    const char *p = line;
    *pwords = 0;
    if (!words) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    for (;;) {
        while (' ' == *p || '\t' == *p)
            p++;
        if (!*p)
            break;
        struct strbuf b = {0};
        while (*p && ' ' != *p && '\t' != *p) {
            if ('"' == *p) {
                const char *start = p++;
                while (*p && '"' != *p) {
                    if ('\\' == *p && ('"' == p[1] || '\\' == p[1]))
                        p++;
                    sb_addn(&b, p++, 1);
                }
                if (!*p) {
                    snprintf(err, errsize, "unbalanced \" at column %zu", (size_t)(start - line) + 1);
                    free(b.s);
                    fsp_cmdline_free(words);
                    return -1;
                }
                p++;
            } else if ('\'' == *p) {
                const char *start = p++;
                const char *end = strchr(p, '\'');
                if (!end) {
                    snprintf(err, errsize, "unbalanced ' at column %zu", (size_t)(start - line) + 1);
                    free(b.s);
                    fsp_cmdline_free(words);
                    return -1;
                }
                sb_addn(&b, p, (size_t)(end - p));
                p = end + 1;
            } else if ('\\' == *p && p[1]) {
                sb_addn(&b, p + 1, 1);
                p += 2;
            } else
                sb_addn(&b, p++, 1);
        }
        char *word = sb_take(&b);
        char **nw = word ? realloc(words, (n + 2) * sizeof *words) : 0;
        if (!nw) {
            free(word);
            fsp_cmdline_free(words);
            snprintf(err, errsize, "out of memory");
            return -1;
        }
        words = nw;
        words[n++] = word;
        words[n] = 0;
    }
    *pwords = words;
    return 0;
}

int fsp_cmdline_check(const char *template_, char *err, size_t errsize)
{
    for (const char *p = template_; *p; p++) {
        if ('%' != *p)
            continue;
        char c = *++p;
        if (('0' <= c && c <= '9') || '%' == c || 'U' == c || 'P' == c || 'T' == c)
            continue;
        if ('\\' == c)
            snprintf(err, errsize, "%%\\ (WinFsp's path transformations) is not supported");
        else if (!c)
            snprintf(err, errsize, "%% at the end (write %%%% for a %%)");
        else
            snprintf(err, errsize, "unknown escape %%%c (known: %%0-%%9, %%U, %%P, %%T, %%%%)", c);
        return -1;
    }
    return 0;
}

char *fsp_cmdline_substitute(const char *template_, const char *const args[10],
                             const char *const vars[26])
{
    struct strbuf b = {0};
    for (const char *p = template_; *p; p++) {
        if ('%' != *p || !p[1]) {
            sb_addn(&b, p, 1);
            continue;
        }
        char c = *++p;
        const char *v = 0;
        if ('0' <= c && c <= '9')
            v = args[c - '0'];
        else if ('A' <= c && c <= 'Z')
            v = vars[c - 'A'];
        else {
            sb_addn(&b, &c, 1);
            continue;
        }
        if (v)
            sb_addn(&b, v, strlen(v));
    }
    return sb_take(&b);
}
