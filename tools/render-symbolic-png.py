#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""render-symbolic-png.py — libadwaita's expander arrow as GTK's symbolic PNGs (16 and 32 px).

The window's first frame draws the arrow of its expander rows. libadwaita ships it as SVG only,
and GTK 4.8 renders an SVG through librsvg: 7 MB more memory at start (README, "Benchmarks").
A ".symbolic.png" is recoloured by GTK like the SVG (black, the shape in the alpha channel, is
the foreground colour). Run again when libadwaita's arrow changes; writes into src/gui/icons/.
"""
import os
import subprocess

import gi
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, GLib

NAME = "adw-expander-arrow-symbolic"
LIBADWAITA = "/usr/lib/x86_64-linux-gnu/libadwaita-1.so.0"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "gui", "icons")

svg = subprocess.run(["gresource", "extract", LIBADWAITA,
                      "/org/gnome/Adwaita/icons/scalable/actions/%s.svg" % NAME],
                     check=True, capture_output=True).stdout
for size in (16, 32):
    loader = GdkPixbuf.PixbufLoader.new_with_type("svg")
    loader.set_size(size, size)
    loader.write(svg)
    loader.close()
    pixbuf = loader.get_pixbuf()
    pixels = bytearray(pixbuf.get_pixels())
    stride, channels = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    for y in range(size):
        for x in range(size):
            i = y * stride + x * channels
            pixels[i:i + 3] = b"\0\0\0"
    symbolic = GdkPixbuf.Pixbuf.new_from_bytes(GLib.Bytes.new(bytes(pixels)),
                                               GdkPixbuf.Colorspace.RGB, True, 8, size, size,
                                               stride)
    symbolic.savev(os.path.join(OUT, "%s-%d.symbolic.png" % (NAME, size)), "png", [], [])
