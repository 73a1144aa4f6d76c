/*
 * analytic.h: the Microsoft-Windows-Bits-Client/Analytic event channel, shared by the service
 * (analytic.c writes the events) and bitsadmin (/util /enableanalyticchannel switches it).
 */

#ifndef __BITS_ANALYTIC_H
#define __BITS_ANALYTIC_H

/* Under HKEY_LOCAL_MACHINE; REG_DWORD value Enabled, 1 on, 0 (or missing) off (Windows' key). */
#define ANALYTIC_CHANNEL_KEY \
    L"Software\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Channels\\Microsoft-Windows-Bits-Client/Analytic"
#define ANALYTIC_CHANNEL_VALUE L"Enabled"

/* Where the service appends the events, under the Windows directory. */
#define ANALYTIC_LOG_DIR  L"Logs\\Bits"
#define ANALYTIC_LOG_FILE L"analytic.log"

#endif /* __BITS_ANALYTIC_H */
