/*
 * identity.h: injected caller identities for the in-process unit tests (the BITS_TEST_SEAM of
 * security.c, caller_set_test_identity). Include after qmgr_private.h, sddl.h and wine/test.h.
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

#ifndef __UNIT_IDENTITY_H
#define __UNIT_IDENTITY_H

static inline void make_identity(struct bits_caller *caller, const WCHAR *sid, BOOL admin, BOOL service)
{
    memset(caller, 0, sizeof(*caller));
    ok(ConvertStringSidToSidW(sid, &caller->sid), "bad SID %s\n", wine_dbgstr_w(sid));
    caller->admin = admin;
    caller->service = service;
    caller->integrity = service ? SECURITY_MANDATORY_SYSTEM_RID : SECURITY_MANDATORY_MEDIUM_RID;
    caller->elevated = admin;
}

static inline void free_identity(struct bits_caller *caller)
{
    LocalFree(caller->sid);
}

#endif /* __UNIT_IDENTITY_H */
