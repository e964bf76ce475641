/* Logging by module and level, to the console (stderr) and a log file.
 *
 * Each .c file that logs says VLOG_DEFINE_THIS_MODULE(name) once, then
 * VLOG_ERR(...), VLOG_WARN(...), VLOG_INFO(...), VLOG_DBG(...).  Messages
 * that packets or peers can trigger use the _RL forms with a rate limit,
 * so a flood of bad input cannot flood the log.  Levels are set per
 * module and destination at run time (`sw-appctl vlog/set`).  Thread-safe:
 * the datapath threads log too. */
#ifndef VLOG_H
#define VLOG_H 1

#include <pthread.h>
#include <stdbool.h>
#include "util.h"

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

enum vlog_destination {
    VLF_CONSOLE,
    VLF_FILE,
    VLF_N_DESTINATIONS,
    VLF_ANY = -1
};

struct vlog_module {
    const char *name;
    enum vlog_level levels[VLF_N_DESTINATIONS];
    enum vlog_level min_level;  /* Most verbose of 'levels'. */
    struct vlog_module *next;
};

void vlog_register_module(struct vlog_module *);

#define VLOG_DEFINE_THIS_MODULE(NAME)                                    \
    static struct vlog_module this_module = {                            \
        #NAME, { VLL_WARN, VLL_INFO }, VLL_INFO, NULL };                 \
    static void __attribute__((constructor)) vlog_module_init_##NAME(    \
        void)                                                            \
    {                                                                    \
        vlog_register_module(&this_module);                              \
    }

/* A token bucket: at most 'burst' messages at once, refilled at 'rate'
 * per minute.  Messages beyond it are counted and summarised later. */
struct vlog_rate_limit {
    pthread_mutex_t mutex;
    unsigned int rate;          /* Tokens per minute. */
    unsigned int burst;
    unsigned int tokens;
    long long last_fill;
    unsigned int n_dropped;
};

#define VLOG_RATE_LIMIT_INIT(RATE, BURST) \
    { PTHREAD_MUTEX_INITIALIZER, RATE, BURST, BURST, 0, 0 }

void vlog(const struct vlog_module *, enum vlog_level, const char *, ...)
    PRINTF_FORMAT(3, 4);
void vlog_rl(const struct vlog_module *, enum vlog_level,
             struct vlog_rate_limit *, const char *, ...)
    PRINTF_FORMAT(4, 5);

static inline bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return level <= module->min_level;
}

#define VLOG_EMER(...) vlog(&this_module, VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) vlog(&this_module, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) vlog(&this_module, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) vlog(&this_module, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...)                                        \
    do {                                                     \
        if (vlog_is_enabled(&this_module, VLL_DBG)) {        \
            vlog(&this_module, VLL_DBG, __VA_ARGS__);        \
        }                                                    \
    } while (0)
#define VLOG_ERR_RL(RL, ...) vlog_rl(&this_module, VLL_ERR, RL, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) \
    vlog_rl(&this_module, VLL_WARN, RL, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) \
    vlog_rl(&this_module, VLL_INFO, RL, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) vlog_rl(&this_module, VLL_DBG, RL, __VA_ARGS__)

/* Opens (or, with NULL, reopens) the log file.  Returns 0 or -errno. */
int vlog_set_log_file(const char *path);
int vlog_reopen_log_file(void);
const char *vlog_get_log_file(void);

/* Applies a "module:destination:level" spec in any order, where each
 * word may be omitted or "any".  Returns NULL or an error message to
 * free(). */
char *vlog_set_levels_from_string(const char *spec);
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);
/* A table of every module's levels, as `vlog/list` prints it; free(). */
char *vlog_list(void);

enum vlog_level vlog_level_from_string(const char *);
const char *vlog_level_to_string(enum vlog_level);

#endif /* vlog.h */
