#include <config.h>
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "timeval.h"

static const char *const level_names[VLL_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
};

static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console", "file",
};

/* Guards the module list, the log file and output ordering. */
static pthread_mutex_t vlog_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct vlog_module *modules;
static char *log_file_name;
static int log_fd = -1;
static unsigned int msg_seq;

static void
update_min_level(struct vlog_module *module)
{
    module->min_level = VLL_OFF;
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        if (d == VLF_FILE && log_fd < 0) {
            continue;
        }
        module->min_level = MAX(module->min_level, module->levels[d]);
    }
}

void
vlog_register_module(struct vlog_module *module)
{
    pthread_mutex_lock(&vlog_mutex);
    struct vlog_module **p = &modules;
    while (*p && strcmp((*p)->name, module->name) < 0) {
        p = &(*p)->next;
    }
    module->next = *p;
    *p = module;
    update_min_level(module);
    pthread_mutex_unlock(&vlog_mutex);
}

enum vlog_level
vlog_level_from_string(const char *s)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(s, level_names[i])) {
            return i;
        }
    }
    if (!strcasecmp(s, "error")) {
        return VLL_ERR;
    } else if (!strcasecmp(s, "warning")) {
        return VLL_WARN;
    } else if (!strcasecmp(s, "debug")) {
        return VLL_DBG;
    }
    return VLL_N_LEVELS;
}

const char *
vlog_level_to_string(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

static void
format_message(struct ds *s, const struct vlog_module *module,
               enum vlog_level level, unsigned int seq,
               const char *format, va_list args)
{
    long long now = time_wall_msec();
    time_t secs = now / 1000;
    struct tm tm;
    char stamp[32];

    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    ds_put_format(s, "%s.%03lldZ|%05u|%s|%s|", stamp, now % 1000, seq,
                  module->name, level_names[level]);
    ds_put_format_valist(s, format, args);
    ds_chomp(s, '\n');
    ds_put_char(s, '\n');
}

static void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    bool to_console = level <= module->levels[VLF_CONSOLE];
    bool to_file = level <= module->levels[VLF_FILE];
    if (level == VLL_OFF || (!to_console && !to_file)) {
        return;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    pthread_mutex_lock(&vlog_mutex);
    format_message(&s, module, level, ++msg_seq, format, args);
    if (to_console) {
        write_fully(STDERR_FILENO, s.string, s.length);
    }
    if (to_file && log_fd >= 0) {
        write_fully(log_fd, s.string, s.length);
    }
    pthread_mutex_unlock(&vlog_mutex);
    ds_destroy(&s);
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

/* Takes a token from 'rl'.  Returns true if the message may be logged,
 * and in '*n_dropped' how many were suppressed since the last one. */
static bool
vlog_rate_limit_take(struct vlog_rate_limit *rl, unsigned int *n_dropped)
{
    long long now = time_msec();
    bool ok;

    pthread_mutex_lock(&rl->mutex);
    if (rl->tokens < rl->burst && rl->rate) {
        long long elapsed = now - rl->last_fill;
        long long add = elapsed * rl->rate / 60000;
        if (add > 0) {
            rl->tokens = MIN(rl->burst, rl->tokens + add);
            rl->last_fill = now;
        }
    } else {
        rl->last_fill = now;
    }
    ok = rl->tokens > 0;
    if (ok) {
        rl->tokens--;
        *n_dropped = rl->n_dropped;
        rl->n_dropped = 0;
    } else {
        rl->n_dropped++;
    }
    pthread_mutex_unlock(&rl->mutex);
    return ok;
}

void
vlog_rl(const struct vlog_module *module, enum vlog_level level,
        struct vlog_rate_limit *rl, const char *format, ...)
{
    unsigned int n_dropped;
    if (!vlog_is_enabled(module, level)
        || !vlog_rate_limit_take(rl, &n_dropped)) {
        return;
    }

    va_list args;
    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
    if (n_dropped) {
        vlog(module, level, "Dropped %u log messages in the last period "
             "due to excessive rate", n_dropped);
    }
}

int
vlog_set_log_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        return -errno;
    }

    pthread_mutex_lock(&vlog_mutex);
    if (log_fd >= 0) {
        close(log_fd);
    }
    log_fd = fd;
    if (path != log_file_name) {
        free(log_file_name);
        log_file_name = xstrdup(path);
    }
    for (struct vlog_module *m = modules; m; m = m->next) {
        update_min_level(m);
    }
    pthread_mutex_unlock(&vlog_mutex);
    return 0;
}

int
vlog_reopen_log_file(void)
{
    if (!log_file_name) {
        return -ENOENT;
    }
    char *path = xstrdup(log_file_name);
    int err = vlog_set_log_file(path);
    free(path);
    return err;
}

const char *
vlog_get_log_file(void)
{
    return log_file_name;
}

void
vlog_set_levels(struct vlog_module *module, enum vlog_destination dest,
                enum vlog_level level)
{
    pthread_mutex_lock(&vlog_mutex);
    for (struct vlog_module *m = modules; m; m = m->next) {
        if (module && m != module) {
            continue;
        }
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            if (dest == VLF_ANY || dest == (enum vlog_destination) d) {
                m->levels[d] = level;
            }
        }
        update_min_level(m);
    }
    pthread_mutex_unlock(&vlog_mutex);
}

static struct vlog_module *
vlog_module_from_name(const char *name)
{
    for (struct vlog_module *m = modules; m; m = m->next) {
        if (!strcasecmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

char *
vlog_set_levels_from_string(const char *spec)
{
    struct vlog_module *module = NULL;
    enum vlog_destination dest = VLF_ANY;
    enum vlog_level level = VLL_DBG;
    char *copy = xstrdup(spec), *save = NULL, *error = NULL;

    for (char *word = strtok_r(copy, ": \t", &save); word;
         word = strtok_r(NULL, ": \t", &save)) {
        if (!strcasecmp(word, "any")) {
            continue;
        }
        int d;
        for (d = 0; d < VLF_N_DESTINATIONS; d++) {
            if (!strcasecmp(word, destination_names[d])) {
                dest = d;
                break;
            }
        }
        if (d < VLF_N_DESTINATIONS) {
            continue;
        }
        if (vlog_level_from_string(word) != VLL_N_LEVELS) {
            level = vlog_level_from_string(word);
        } else if (vlog_module_from_name(word)) {
            module = vlog_module_from_name(word);
        } else {
            error = xasprintf("unknown module, destination or level "
                              "\"%s\"", word);
            break;
        }
    }
    if (!error) {
        vlog_set_levels(module, dest, level);
    }
    free(copy);
    return error;
}

char *
vlog_list(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%-20s %-8s %s\n", "", "console", "file");
    ds_put_format(&s, "%-20s %-8s %s\n", "", "-------", "----");
    pthread_mutex_lock(&vlog_mutex);
    for (struct vlog_module *m = modules; m; m = m->next) {
        ds_put_format(&s, "%-20s %-8s %s\n", m->name,
                      level_names[m->levels[VLF_CONSOLE]],
                      level_names[m->levels[VLF_FILE]]);
    }
    pthread_mutex_unlock(&vlog_mutex);
    return ds_steal_cstr(&s);
}
