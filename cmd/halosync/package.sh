#!/bin/sh
# package.sh builds HaloSync's Linux package (HaloSync.tar.xz: the binary,
# a .desktop file and the icon, with a Makefile to install them) with
# `fyne package`, and writes it to the folder given (default: dist/ at the
# repository root).
#
#   cmd/halosync/package.sh [OUT_DIR]
#
# PACKAGE_OS=windows (on Windows, in Git Bash) or PACKAGE_OS=darwin (on a
# Mac) makes HaloSync.exe or HaloSync.app instead: fyne package builds with
# cgo for the OS it runs on.
#
# fyne package reads FyneApp.toml from the main package's folder and
# writes its output there, so the script packages a temporary copy of the
# working tree with the root's FyneApp.toml and icon copied into
# cmd/halosync: the repository stays clean. It needs the fyne tool
# (go install fyne.io/tools/cmd/fyne@v1.7.4) and what a cgo Fyne build
# needs (Debian: libgl1-mesa-dev xorg-dev).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$root/dist"}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
fyne=${FYNE:-$(command -v fyne || echo "$(go env GOPATH)/bin/fyne")}
if [ ! -x "$fyne" ]; then
	echo "package.sh: the fyne tool is missing: go install fyne.io/tools/cmd/fyne@v1.7.4" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The working tree as it is (tracked and new files, not ignored ones).
git -C "$root" ls-files -z --cached --others --exclude-standard |
	(cd "$root" && xargs -0 tar -cf - --ignore-failed-read) | tar -xf - -C "$tmp"
src=$tmp/cmd/halosync
cp "$root/FyneApp.toml" "$src/"
mkdir -p "$src/assets"
cp "$root/assets/icon.png" "$src/assets/"

(cd "$src" && "$fyne" package --os "${PACKAGE_OS:-linux}" --release --tags migrated_fynedo)

mkdir -p "$out"
for f in "$src"/*.tar.xz "$src"/*.exe "$src"/*.app; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	rm -rf "${out:?}/${name:?}"
	mv "$f" "$out/"
	echo "package.sh: wrote $out/$name ($(du -sh "$out/$name" | cut -f1))"
done
