#!/bin/sh
# Builds the Debian packages from a clean copy of this tree (the files git knows, committed or
# not, without build directories) and leaves them, with the .changes file, in OUTDIR.
#   tools/build-deb.sh OUTDIR        (make deb: OUTDIR is build-deb)
# DEB_BUILD_OPTIONS passes through: nocheck skips the build's own tests.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
command -v dpkg-buildpackage >/dev/null || {
  echo "postaci: dpkg-buildpackage is missing (apt-get install dpkg-dev debhelper)" >&2; exit 1; }

source_dir=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out_dir=$(cd "$1" && pwd)
version=$(dpkg-parsechangelog -l "$source_dir/debian/changelog" -S Version)
upstream=${version%-*}

# dpkg-buildpackage writes its results into the parent of the source folder: a folder of our own.
work=$(mktemp -d "${TMPDIR:-/tmp}/postaci-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
copy="$work/postaci-$upstream"
mkdir "$copy"
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and new files, as they are in the work tree; ignored ones (build dirs) stay out.
  (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
     tar --null -T - -cf -) | tar -xf - -C "$copy"
else
  (cd "$source_dir" && tar --exclude='./build' --exclude='./build-*' --exclude='./obj-*' \
     --exclude='./.git' -cf - .) | tar -xf - -C "$copy"
fi

(cd "$copy" && dpkg-buildpackage -us -uc -b) > "$out_dir/build.log" 2>&1 || {
  tail -n 60 "$out_dir/build.log" >&2
  echo "postaci: dpkg-buildpackage failed; the whole log is $out_dir/build.log" >&2
  exit 1
}
rm -f "$out_dir"/*.deb "$out_dir"/*.changes "$out_dir"/*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out_dir"/
echo "postaci: packages in $out_dir:"
ls -1 "$out_dir"/*.deb
