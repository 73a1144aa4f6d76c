/*
 * security.c: who is calling. Builds a struct bits_caller (user SID, admin membership,
 * service account, integrity level, elevation) for the client of the current COM call.
 *
 * Windows: CoImpersonateClient gives the client's token. Wine 8: that fails inside a
 * service method, so the client process is found with I_RpcBindingInqLocalClientPID and its
 * process token is used (wine-notes "Who is calling"). A call that comes from inside the
 * service process itself (in-process use) is the process's own identity.
 *
 * The test-only seam (BITS_TEST_SEAM, a separate object file linked only into unit tests)
 * lets in-process tests inject identities. qmgr.dll never contains it.
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
#include <rpc.h>
#include <rpcdcep.h>
#include <sddl.h>

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

BOOL sid_equal(PSID a, PSID b)
{
    if (!a || !b) return FALSE;
    return EqualSid(a, b);
}

HRESULT sid_to_string(PSID sid, WCHAR **str)
{
    WCHAR *tmp;
    HRESULT hr;

    if (!ConvertSidToStringSidW(sid, &tmp)) return HRESULT_FROM_WIN32(GetLastError());
    hr = strdup_for_client(tmp, str);
    LocalFree(tmp);
    return hr;
}

static PSID sid_dup(PSID sid)
{
    DWORD len = GetLengthSid(sid);
    PSID copy = heap_alloc_zero(len);

    if (copy) CopySid(len, copy, sid);
    return copy;
}

void caller_free(struct bits_caller *caller)
{
    heap_free(caller->sid);
    caller->sid = NULL;
}

BOOL caller_copy(struct bits_caller *dst, const struct bits_caller *src)
{
    *dst = *src;
    if (src->sid && !(dst->sid = sid_dup(src->sid))) return FALSE;
    return TRUE;
}

BOOL token_is_admin(HANDLE token)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    HANDLE imp = NULL;
    PSID admins;
    BOOL member = FALSE;

    if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS,
                                  0, 0, 0, 0, 0, 0, &admins))
        return FALSE;
    /* CheckTokenMembership wants an impersonation token. */
    if (DuplicateToken(token, SecurityIdentification, &imp))
    {
        if (!CheckTokenMembership(imp, admins, &member)) member = FALSE;
        CloseHandle(imp);
    }
    FreeSid(admins);
    return member;
}

static HRESULT caller_from_token(HANDLE token, struct bits_caller *caller)
{
    BYTE buffer[512];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    TOKEN_MANDATORY_LABEL *label = (TOKEN_MANDATORY_LABEL *)buffer;
    TOKEN_ELEVATION elevation;
    DWORD len;

    memset(caller, 0, sizeof(*caller));
    if (!GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &len))
        return HRESULT_FROM_WIN32(GetLastError());
    if (!(caller->sid = sid_dup(user->User.Sid))) return E_OUTOFMEMORY;

    caller->service = IsWellKnownSid(caller->sid, WinLocalSystemSid)
                      || IsWellKnownSid(caller->sid, WinLocalServiceSid)
                      || IsWellKnownSid(caller->sid, WinNetworkServiceSid);
    caller->admin = token_is_admin(token);

    caller->integrity = SECURITY_MANDATORY_MEDIUM_RID;
    if (GetTokenInformation(token, TokenIntegrityLevel, buffer, sizeof(buffer), &len))
    {
        UCHAR count = *GetSidSubAuthorityCount(label->Label.Sid);
        if (count) caller->integrity = *GetSidSubAuthority(label->Label.Sid, count - 1);
    }
    if (caller->service && caller->integrity < SECURITY_MANDATORY_SYSTEM_RID
        && IsWellKnownSid(caller->sid, WinLocalSystemSid))
        caller->integrity = SECURITY_MANDATORY_SYSTEM_RID;

    if (GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &len))
        caller->elevated = elevation.TokenIsElevated != 0;
    else
        caller->elevated = caller->admin;
    return S_OK;
}

static HRESULT caller_identify_real(struct bits_caller *caller)
{
    HANDLE token = NULL, process;
    unsigned long pid = 0;
    HRESULT hr;

    /* Windows: impersonate the client for the length of the query. */
    if (SUCCEEDED(CoImpersonateClient()))
    {
        BOOL ok = OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_DUPLICATE, TRUE, &token);
        CoRevertToSelf();
        if (ok)
        {
            hr = caller_from_token(token, caller);
            CloseHandle(token);
            return hr;
        }
    }

    /* Wine: find the client process of this RPC call. */
    if (I_RpcBindingInqLocalClientPID(NULL, &pid) == RPC_S_OK && pid && pid != GetCurrentProcessId())
    {
        if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)))
        {
            WARN("cannot open client process %04lx: %lu\n", pid, GetLastError());
            return E_ACCESSDENIED;
        }
        if (!OpenProcessToken(process, TOKEN_QUERY | TOKEN_DUPLICATE, &token))
        {
            WARN("cannot open token of %04lx: %lu\n", pid, GetLastError());
            CloseHandle(process);
            return E_ACCESSDENIED;
        }
        CloseHandle(process);
        TRACE("caller is process %04lx\n", pid);
        hr = caller_from_token(token, caller);
        CloseHandle(token);
        return hr;
    }

    /* An in-process call: our own identity. */
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &token))
        return HRESULT_FROM_WIN32(GetLastError());
    hr = caller_from_token(token, caller);
    CloseHandle(token);
    return hr;
}

#ifdef BITS_TEST_SEAM

static struct bits_caller test_identity;
static BOOL test_identity_set;

void caller_set_test_identity(const struct bits_caller *identity)
{
    caller_free(&test_identity);
    test_identity_set = FALSE;
    if (identity && caller_copy(&test_identity, identity)) test_identity_set = TRUE;
}

HRESULT caller_identify(struct bits_caller *caller)
{
    if (test_identity_set) return caller_copy(caller, &test_identity) ? S_OK : E_OUTOFMEMORY;
    return caller_identify_real(caller);
}

#else

HRESULT caller_identify(struct bits_caller *caller)
{
    return caller_identify_real(caller);
}

#endif

/* The caller's own token as it is: the client's thread token (Windows) or its process token
 * (Wine), or ours for an in-process call. */
static HRESULT caller_source_token(HANDLE *src)
{
    const DWORD access = TOKEN_QUERY | TOKEN_DUPLICATE | TOKEN_IMPERSONATE;
    HANDLE process;
    unsigned long pid = 0;
    BOOL ok;

    *src = NULL;
    if (SUCCEEDED(CoImpersonateClient()))
    {
        ok = OpenThreadToken(GetCurrentThread(), access, TRUE, src);
        CoRevertToSelf();
        if (!ok) return CO_E_FAILEDTOIMPERSONATE;
    }
    else if (I_RpcBindingInqLocalClientPID(NULL, &pid) == RPC_S_OK && pid && pid != GetCurrentProcessId())
    {
        if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)))
            return CO_E_FAILEDTOIMPERSONATE;
        ok = OpenProcessToken(process, access, src);
        CloseHandle(process);
        if (!ok) return CO_E_FAILEDTOIMPERSONATE;
    }
    else if (!OpenProcessToken(GetCurrentProcess(), access, src))
        return CO_E_FAILEDTOIMPERSONATE;
    return S_OK;
}

static HRESULT caller_duplicate_token(TOKEN_TYPE type, HANDLE *token)
{
    HANDLE src;
    HRESULT hr;
    BOOL ok;

    *token = NULL;
    if (FAILED(hr = caller_source_token(&src))) return hr;
    ok = DuplicateTokenEx(src, TOKEN_ALL_ACCESS, NULL, SecurityImpersonation, type, token);
    CloseHandle(src);
    return ok ? S_OK : CO_E_FAILEDTOIMPERSONATE;
}

/* The caller's own token (duplicated for impersonation), for IBitsTokenOptions::SetHelperToken. */
HRESULT caller_open_token(HANDLE *token)
{
    return caller_duplicate_token(TokenImpersonation, token);
}

/* A primary token of the caller: what a process started on its behalf runs with, and what the
 * service impersonates to read a job's local sources as the owner. */
HRESULT caller_open_primary_token(HANDLE *token)
{
    return caller_duplicate_token(TokenPrimary, token);
}
