// Package assets holds HaloSync's embedded resources: the app icon.
package assets

import _ "embed"

// IconSVG is the application icon, a vector image.
//
//go:embed icon.svg
var IconSVG []byte
