#!/usr/bin/env bash
# Build (or reuse) the station's slim opencv-python-headless wheel and print its path.
#
#     bash packaging/build_opencv.sh PYTHON
#
# The PyPI wheel carries all of OpenCV (dnn, calib, features, objdetect, photo, stitching...)
# with FFmpeg, OpenBLAS, AVIF, WebP, TIFF and JPEG 2000: 152 MiB of the one-folder build. The
# station calls core, imgproc (with geometry and its flann), imgcodecs (JPEG, PNG) and videoio
# (V4L2 cameras, OpenCV's own MJPEG .avi reader, folders of images), so this builds the same
# version from its PyPI sdist with only those. See packaging/README.md, "The slim OpenCV".
#
# The wheel is cached in $RETURNSDESK_BUILD_CACHE (default ~/.cache/returnsdesk-build) under
# a key of the version, the CMake flags, the patch and the Python platform: a second build
# takes seconds; a cold one compiles for about 20 minutes on 2 cores, under nice, and pip
# fetches the sdist's build requirements (scikit-build, numpy 2.0.2 headers) from the index.
# PYTHON: the build venv's CPython; c++, cmake and nasm must be on PATH for a cold build.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${1:?usage: build_opencv.sh PYTHON}
# The version `pip install .` resolves today; keep it in step with the stock wheel the dev
# .venv gets, so that both run the same OpenCV.
OPENCV_VERSION=5.0.0.93
CACHE=${RETURNSDESK_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/returnsdesk-build}

# Modules: BUILD_LIST adds the dependencies (imgproc needs geometry, geometry needs flann).
# Off: everything that would link a library or pull code the station never calls. IPP is off
# because its binary package is downloaded from GitHub at configure time (not reachable from
# every build machine); bench/bench_opencv_builds.py measured what that costs (README).
CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_LIST=core,imgproc,imgcodecs,videoio,python3
  -DPYTHON3_LIMITED_API=ON
  -DWITH_FFMPEG=OFF -DWITH_GSTREAMER=OFF -DWITH_V4L=ON -DWITH_1394=OFF -DWITH_OBSENSOR=OFF
  -DWITH_LAPACK=OFF -DWITH_EIGEN=OFF -DWITH_IPP=OFF -DWITH_OPENCL=OFF -DWITH_VA=OFF
  -DWITH_VA_INTEL=OFF -DWITH_ITT=OFF -DWITH_PROTOBUF=OFF -DWITH_FLATBUFFERS=OFF
  -DWITH_WEBP=OFF -DWITH_OPENJPEG=OFF -DWITH_JASPER=OFF -DWITH_OPENEXR=OFF
  -DBUILD_OPENEXR=OFF -DWITH_AVIF=OFF -DWITH_JPEGXL=OFF -DWITH_IMGCODEC_GIF=OFF
  -DWITH_IMGCODEC_HDR=OFF -DWITH_IMGCODEC_SUNRASTER=OFF -DWITH_IMGCODEC_PXM=OFF
  -DWITH_IMGCODEC_PFM=OFF
  # JPEG, PNG and zlib compiled in: no system library to match. libjpeg-turbo's SIMD needs nasm
  # (without it JPEG falls back to plain C, silently; MJPEG cameras and photos decode JPEG).
  # TIFF too (about 0.5 MiB): `returnsdesk decode` offers it for scanned labels. BMP is built in.
  -DBUILD_JPEG=ON -DENABLE_LIBJPEG_TURBO_SIMD=ON -DBUILD_PNG=ON -DBUILD_ZLIB=ON
  -DWITH_TIFF=ON -DBUILD_TIFF=ON
  # Like the PyPI build: no symbol tables. (No spaces in any flag: CMAKE_ARGS is split on them.)
  -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--strip-all -DCMAKE_MODULE_LINKER_FLAGS=-Wl,--strip-all
)

platform=$("$PYTHON" -c 'import sys, sysconfig; print(sysconfig.get_platform(), sys.implementation.cache_tag)')
# The sdist's setup.py insists on typing stubs, whose generator needs the features module.
PATCH=$PWD/packaging/opencv-no-typing-stubs.patch
key=$( { echo "$OPENCV_VERSION $platform"; printf '%s\n' "${CMAKE_FLAGS[@]}"; cat "$PATCH"; } |
  sha256sum | cut -c1-12)
SLOT=$CACHE/opencv-$OPENCV_VERSION-$key
mkdir -p "$SLOT"

wheel=$(find "$SLOT" -maxdepth 1 -name 'opencv_python_headless-*.whl' | head -n 1)
if [ -n "$wheel" ]; then
  echo "slim OpenCV: reusing $wheel" >&2
  echo "$wheel"
  exit 0
fi

sdist=$CACHE/opencv_python_headless-$OPENCV_VERSION.tar.gz
if [ ! -f "$sdist" ]; then
  echo "slim OpenCV: downloading the sdist of $OPENCV_VERSION" >&2
  "$PYTHON" -m pip download --quiet --no-deps --no-binary opencv-python-headless \
    -d "$CACHE" "opencv-python-headless==$OPENCV_VERSION" >&2
fi

for tool in c++ cmake nasm; do
  command -v "$tool" >/dev/null || {
    echo "build_opencv.sh needs $tool to compile OpenCV (Debian: g++, cmake, nasm)" >&2
    exit 1
  }
done
log=$SLOT/build.log
echo "slim OpenCV: compiling $OPENCV_VERSION (log: $log)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
tar -xzf "$sdist" -C "$work"
source=$work/opencv_python_headless-$OPENCV_VERSION
patch --quiet -d "$source" -p1 <"$PATCH"
# nice: the build machine is shared (and a compile must not starve the tests beside it).
if ! ENABLE_HEADLESS=1 CMAKE_ARGS="${CMAKE_FLAGS[*]}" \
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) MAKEFLAGS=-j$(nproc) \
  nice -n 19 "$PYTHON" -m pip wheel --no-deps -w "$work" "$source" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "slim OpenCV: the build failed; the whole log is in $log" >&2
  exit 1
fi
echo "compiled in $((SECONDS - start)) s" >>"$log"
echo "slim OpenCV: compiled in $((SECONDS - start)) s" >&2
mv "$work"/opencv_python_headless-*.whl "$SLOT/"
find "$SLOT" -maxdepth 1 -name 'opencv_python_headless-*.whl'
