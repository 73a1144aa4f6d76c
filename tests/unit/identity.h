/*
 * identity.h: injected caller identities for the in-process unit tests (the BITS_TEST_SEAM of
 * security.c, caller_set_test_identity). Include after qmgr_private.h, sddl.h and wine/test.h.
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
