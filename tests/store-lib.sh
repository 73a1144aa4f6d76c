# tests/store-lib.sh: helpers of the suites that look at the job store on disk (sourced after
# lib.sh, with $D set). The store's place is asked of the prefix, never assumed.
#
# Copyright 2026 The wine-bits authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Lesser General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.
#
# This library is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
# Lesser General Public License for more details.
#
# You should have received a copy of the GNU Lesser General Public
# License along with this library; if not, write to the Free Software
# Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA

# store_dir [wine8]: STORE_DIR becomes the Unix path of the store's directory
# (tests/helpers/storedir.c: the ProgramData known folder; "wine8": the place earlier builds
# used under Wine 8, below the Public known folder).
store_dir() {
    wine_run "$D/storedir.out" "$D/storedir.err" "$B/helpers/storedir.exe" "$@"
    wine_run "$D/winepath.out" "$D/winepath.err" winepath -u "$(tr -d '\r\n' <"$D/storedir.out")"
    STORE_DIR=$(tr -d '\r\n' <"$D/winepath.out" | sed 's:/*$::')
}
