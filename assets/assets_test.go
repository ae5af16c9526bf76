package assets

import (
	"encoding/xml"
	"testing"
)

func TestIconIsWellFormedSVG(t *testing.T) {
	var root struct {
		XMLName xml.Name
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(IconSVG, &root); err != nil {
		t.Fatal(err)
	}
	if root.XMLName.Local != "svg" || root.ViewBox != "0 0 512 512" {
		t.Fatalf("icon root = %+v", root)
	}
}
