# tests/store-lib.sh: helpers of the suites that look at the job store on disk (sourced after
# lib.sh, with $D set). The store's place is asked of the prefix, never assumed.

# store_dir [wine8]: STORE_DIR becomes the Unix path of the store's directory
# (tests/helpers/storedir.c: the ProgramData known folder; "wine8": the place earlier builds
# used under Wine 8, below the Public known folder).
store_dir() {
    wine_run "$D/storedir.out" "$D/storedir.err" "$B/helpers/storedir.exe" "$@"
    wine_run "$D/winepath.out" "$D/winepath.err" winepath -u "$(tr -d '\r\n' <"$D/storedir.out")"
    STORE_DIR=$(tr -d '\r\n' <"$D/winepath.out" | sed 's:/*$::')
}
