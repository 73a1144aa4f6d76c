/*
 * policy.c: Group Policy limits from HKLM\Software\Policies\Microsoft\Windows\BITS.
 * Owns nothing: every call reads the registry, so a change applies without a restart.
 *
 * Unusable values (Windows documents no rule, so this is our choice): a value of 0 or one that is not a
 * REG_DWORD is ignored and the default applies (a policy of 0 jobs would make BITS useless;
 * Windows' ADMX does not allow 0). Huge values are taken as they are. A per-user limit above
 * the per-machine limit is honoured as written; the machine limit then binds first.
 *
 * Copyright 2026 The wine-bits authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

static DWORD policy_read(const WCHAR *name, DWORD def)
{
    DWORD value, type, size = sizeof(value);

    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Windows\\BITS", name,
                     RRF_RT_REG_DWORD, &type, &value, &size) != ERROR_SUCCESS)
        return def;
    if (!value)
    {
        WARN("ignoring %s = 0\n", debugstr_w(name));
        return def;
    }
    return value;
}

DWORD policy_max_jobs_per_machine(void)
{
    return policy_read(L"MaxJobsPerMachine", 300);
}

DWORD policy_max_jobs_per_user(void)
{
    return policy_read(L"MaxJobsPerUser", 60);
}

DWORD policy_max_files_per_job(void)
{
    return policy_read(L"MaxFilesPerJob", 200);
}

DWORD policy_max_ranges_per_file(void)
{
    return policy_read(L"MaxRangesPerFile", 500);
}

/* Days (the policy allows 1-999, default 90). Our choice: values above 999, the ADMX maximum, are taken
 * as 999: a larger number of days would overflow the timer arithmetic and means "never" anyway. */
DWORD policy_job_inactivity_days(void)
{
    return min(policy_read(L"JobInactivityTimeout", 90), 999);
}
