#!/bin/sh
# package-windows.sh cross-builds HaloSync.exe for 64-bit Windows on Linux
# and writes it to the folder given (default: dist/ at the repository root).
#
#   cmd/halosync/package-windows.sh [OUT_DIR]
#
# Fyne's Windows driver needs cgo, so the build uses Debian's MinGW-w64
# cross compiler (gcc-mingw-w64-x86-64, installed by .ci/deps). The icon,
# the version metadata Explorer shows (from FyneApp.toml) and a manifest
# (per-monitor DPI awareness, so the window is not drawn blurry on scaled
# displays) go in as a Windows resource object (.syso) that windres makes
# and the Go linker picks up from the package folder. The script builds
# from a temporary copy of the working tree, so no generated file is left
# in the repository.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$root/dist"}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
go=${GO:-go}
cc=${CC_WINDOWS:-x86_64-w64-mingw32-gcc}
windres=${WINDRES:-x86_64-w64-mingw32-windres}
for tool in "$cc" "$windres" convert; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "package-windows.sh: $tool is missing: run .ci/deps (gcc-mingw-w64-x86-64, imagemagick)" >&2
		exit 1
	fi
done

# FyneApp.toml's [Details] Version and Build give the file version.
toml() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" "$root/FyneApp.toml" | head -n1; }
version=$(toml Version)
build=$(toml Build)
case $version in *.*.*) ;; *) echo "package-windows.sh: FyneApp.toml has no Version like 1.2.3" >&2; exit 1 ;; esac
commas=$(echo "$version" | tr . ,),${build:-0}
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The working tree as it is (tracked and new files, not ignored ones).
git -C "$root" ls-files -z --cached --others --exclude-standard |
	(cd "$root" && xargs -0 tar -cf - --ignore-failed-read) | tar -xf - -C "$tmp"
src=$tmp/cmd/halosync

convert "$root/assets/icon.png" -define icon:auto-resize=256,64,48,32,16 "$tmp/halosync.ico"
cat >"$tmp/halosync.manifest" <<'EOF'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="com.brainstormmsp.halosync" version="1.0.0.0"/>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">permonitorv2,permonitor</dpiAwareness>
    </windowsSettings>
  </application>
</assembly>
EOF
cat >"$tmp/halosync.rc" <<EOF
1 ICON "halosync.ico"
1 24 "halosync.manifest"
1 VERSIONINFO
FILEVERSION $commas
PRODUCTVERSION $commas
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Brainstorm MSP"
      VALUE "FileDescription", "HaloSync: keeps your clients and tickets in step with HaloPSA"
      VALUE "FileVersion", "$version.${build:-0}"
      VALUE "InternalName", "halosync"
      VALUE "OriginalFilename", "HaloSync.exe"
      VALUE "ProductName", "HaloSync"
      VALUE "ProductVersion", "$version ($commit)"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
EOF
(cd "$tmp" && "$windres" -O coff -i halosync.rc -o "$src/rsrc_windows_amd64.syso")

mkdir -p "$out"
# -H windowsgui: no console window behind the app.
(cd "$tmp" && GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$cc" \
	"$go" build -trimpath -tags migrated_fynedo -ldflags "-H windowsgui -s -w" \
	-o "$out/HaloSync.exe" ./cmd/halosync)
echo "package-windows.sh: wrote $out/HaloSync.exe ($(du -h "$out/HaloSync.exe" | cut -f1), version $version.${build:-0}, $commit)"
