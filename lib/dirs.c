#include <config.h>
#include "dirs.h"

#include <stdlib.h>
#include "util.h"

static const char *
env_or(const char *var, const char *def)
{
    const char *value = getenv(var);
    return value && *value ? value : def;
}

const char *
sw_rundir(void)
{
    return env_or("SW_RUNDIR", SW_RUNDIR_DEFAULT);
}

const char *
sw_dbdir(void)
{
    return env_or("SW_DBDIR", SW_DBDIR_DEFAULT);
}

const char *
sw_logdir(void)
{
    return env_or("SW_LOGDIR", SW_LOGDIR_DEFAULT);
}

const char *
sw_pkgdatadir(void)
{
    return env_or("SW_PKGDATADIR", SW_PKGDATADIR);
}

char *
sw_default_db(void)
{
    return xasprintf("unix:%s/db.sock", sw_rundir());
}
