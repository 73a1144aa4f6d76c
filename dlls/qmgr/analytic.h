/*
 * analytic.h: the Microsoft-Windows-Bits-Client/Analytic event channel, shared by the service
 * (analytic.c writes the events) and bitsadmin (/util /enableanalyticchannel switches it).
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
