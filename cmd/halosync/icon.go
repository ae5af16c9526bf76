package main

import (
	"bytes"
	"image"
	"image/png"

	"fyne.io/fyne/v2"
	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"

	"github.com/brainstormmsp/halosync/assets"
)

// appIcon is the window icon: the vector original.
func appIcon() fyne.Resource {
	return &fyne.StaticResource{StaticName: "halosync.svg", StaticContent: assets.IconSVG}
}

// trayIcon is the icon as a PNG: tray hosts (StatusNotifierItem on Linux)
// take raster images only. It falls back to the vector icon if the SVG
// cannot be drawn.
func trayIcon(size int) fyne.Resource {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(assets.IconSVG))
	if err != nil {
		return appIcon()
	}
	icon.SetTarget(0, 0, float64(size), float64(size))
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	icon.Draw(rasterx.NewDasher(size, size, rasterx.NewScannerGV(size, size, img, img.Bounds())), 1)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return appIcon()
	}
	return &fyne.StaticResource{StaticName: "halosync.png", StaticContent: buf.Bytes()}
}
