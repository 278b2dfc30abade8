#!/usr/bin/env bash
# Build the Linux installables of returnsdesk in one command, from the repository folder:
#
#     bash packaging/build_linux.sh
#
# 1. a clean build venv in build/venv with the project (not editable) and PyInstaller, and
#    the slim OpenCV wheel (packaging/build_opencv.sh: compiled once, then cached) in place
#    of the PyPI one;
# 2. PyInstaller's one-folder build (packaging/returnsdesk.spec) in build/dist/returnsdesk;
# 3. dist/returnsdesk_<version>_<arch>.deb: /opt/returnsdesk, /usr/bin/returnsdesk, a desktop
#    entry, the icon and /etc/returnsdesk/config.toml.example;
# 4. dist/returnsdesk-<version>-linux-<machine>.tar.gz of the one-folder build (no root needed:
#    unpack anywhere and run returnsdesk/returnsdesk).
# Then it prints the sizes. PYTHON names the interpreter for the venv (default python3, 3.11+,
# built with a shared libpython as PyInstaller needs). Needs dpkg-deb, binutils (strip,
# readelf, objdump), a C compiler (cc) and icupkg (Debian: icu-devtools) to trim ICU's data,
# and, to compile OpenCV when its wheel is not cached yet, c++, cmake and nasm.
# Safe to run again: the venv is reused, everything else is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022  # the .deb's files get these modes

for tool in dpkg-deb strip readelf objdump cc icupkg; do
  command -v "$tool" >/dev/null || {
    echo "build_linux.sh needs $tool (Debian: dpkg, binutils, gcc, icu-devtools)" >&2
    exit 1
  }
done

ROOT=$PWD
BUILD=$ROOT/build
VENV=$BUILD/venv
OUT=$ROOT/dist
PYTHON=${PYTHON:-python3}

echo "== build venv ($VENV)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# Not editable: the build must bundle what an installed package has, not a checkout's paths.
# psycopg: the PostgreSQL driver for stations on a shared database; pure Python, it loads the
# system's libpq5 (a Depends of the .deb) rather than bundling a second OpenSSL and Kerberos.
"$VENV/bin/python" -m pip install --quiet . "pyinstaller>=6.22,<7" "psycopg>=3.2,<4"
# OpenCV with only what the station calls (no FFmpeg, OpenBLAS, dnn...): 152 -> about 20 MiB.
# Compiled once from the same version's sdist, then reused from the cache (build_opencv.sh).
echo "== slim OpenCV"
SLIM_OPENCV=$(bash packaging/build_opencv.sh "$VENV/bin/python")
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$SLIM_OPENCV"

echo "== PyInstaller"
rm -rf "$BUILD/dist/returnsdesk"
# Modules stored uncompressed: inflating them was 0.15 s of every start (about 0.24 s for all
# 1,336, measured on the archive); the folder grows about 20 MB.
PYINSTALLER_ZLIB_COMPRESSION_LEVEL=0 "$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$BUILD/dist" --workpath "$BUILD/pyinstaller" packaging/returnsdesk.spec
APP=$BUILD/dist/returnsdesk

echo "== strip"
# Drop the symbol tables of libraries built here or left as built (libpython and lib-dynload
# carry debug symbols: about 40 MB). Libraries that auditwheel rewrote with patchelf (those in
# a wheel's *.libs/ folder or with an $ORIGIN rpath) stay as they are: strip breaks some of
# them (numpy's OpenBLAS: "ELF load command address/offset not page-aligned").
find "$APP" -type f \( -name '*.so' -o -name '*.so.*' \) ! -path '*.libs/*' -print0 |
  while IFS= read -r -d '' library; do
    sections=$(readelf -S -W "$library" 2>/dev/null) || continue
    [[ $sections == *.symtab* ]] || continue
    dynamic=$(readelf -d "$library" 2>/dev/null) || continue
    [[ $dynamic == *'$ORIGIN'* ]] && continue
    strip --strip-unneeded "$library"
  done

echo "== ICU data"
# Qt's ICU data without the trees no Qt function reads (11 MB; see the script's docstring).
"$VENV/bin/python" packaging/trim_icu_data.py "$APP/_internal/PySide6/Qt/lib"
QT_QPA_PLATFORM=offscreen "$APP/returnsdesk" --version  # smoke test: the frozen app starts

VERSION=$("$VENV/bin/python" -c 'import returnsdesk; print(returnsdesk.__version__)')
ARCH=$(dpkg --print-architecture)
MACHINE=$(uname -m)
mkdir -p "$OUT"

echo "== .deb"
STAGE=$BUILD/deb/returnsdesk_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/etc/returnsdesk"
cp -a "$APP" "$STAGE/opt/returnsdesk"
chmod -R u+rwX,go+rX,go-w "$STAGE/opt/returnsdesk"
# A symlink is enough: PyInstaller's bootloader finds _internal/ from /proc/self/exe.
ln -s /opt/returnsdesk/returnsdesk "$STAGE/usr/bin/returnsdesk"
install -m 0644 packaging/linux/returnsdesk.desktop "$STAGE/usr/share/applications/"
install -m 0644 resources/icons/returnsdesk.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 packaging/config.toml.example "$STAGE/etc/returnsdesk/config.toml.example"

# The oldest glibc the bundle runs on is the newest GLIBC_x.y symbol version any file needs
# (the bootloader and libpython come from the build machine, the wheels ask for less).
GLIBC=$( { find "$STAGE/opt" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | xargs -0 objdump -T 2>/dev/null || true; } | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' \
  | sort -u -V | tail -n 1)
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
# Qt's xcb platform plugin loads these X11 libraries from the system (PyInstaller does not
# bundle them); libegl1/libgl1 for Qt's GL integration, fontconfig for fonts, D-Bus for QtGui;
# libpq5 for PostgreSQL (psycopg loads it when a station uses a postgresql+psycopg:// URL).
cat > "$STAGE/DEBIAN/control" <<EOF
Package: returnsdesk
Version: $VERSION
Architecture: $ARCH
Maintainer: returnsdesk maintainers <returnsdesk@localhost>
Section: misc
Priority: optional
Installed-Size: $INSTALLED_KB
Depends: libc6 (>= $GLIBC), libxcb-cursor0, libxkbcommon-x11-0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, libxcb-render-util0, libxcb-image0, libegl1, libgl1, libfontconfig1, libdbus-1-3, libpq5
Homepage: https://example.invalid/returnsdesk
Description: Returns inspection station for warehouses
 Scan a returned parcel, grade each item, accept or override the suggested
 disposition and confirm an itemised refund, written in one database
 transaction. Self-contained build (Python, Qt, OpenCV) in /opt/returnsdesk.
 System-wide settings: /etc/returnsdesk/config.toml (see the .example).
EOF
# Listed as a conffile so that an upgrade never overwrites an edited copy silently.
echo /etc/returnsdesk/config.toml.example > "$STAGE/DEBIAN/conffiles"
DEB=$OUT/returnsdesk_${VERSION}_${ARCH}.deb
dpkg-deb --build --root-owner-group -Zxz "$STAGE" "$DEB" >/dev/null

echo "== .tar.gz"
TARBALL=$OUT/returnsdesk-${VERSION}-linux-${MACHINE}.tar.gz
tar -C "$BUILD/dist" --owner=0 --group=0 --numeric-owner -czf "$TARBALL" returnsdesk

echo "== sizes"
echo "one-folder build: $(du -sh "$APP" | cut -f1)  ($APP)"
echo "  of which _internal/PySide6: $(du -sh "$APP/_internal/PySide6" | cut -f1)," \
  "cv2 + its libs: $(du -shc "$APP"/_internal/cv2 "$APP"/_internal/opencv_python_headless.libs 2>/dev/null | tail -n 1 | cut -f1)"
echo ".deb: $(du -h "$DEB" | cut -f1)  ($DEB), installed size $((INSTALLED_KB / 1024)) MiB, needs glibc >= $GLIBC"
echo ".tar.gz: $(du -h "$TARBALL" | cut -f1)  ($TARBALL)"
