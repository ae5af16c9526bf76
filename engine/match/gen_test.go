package match

import (
	"math/rand/v2"
	"strings"
)

// Synthetic client books for the benchmark and the index tests: HaloPSA
// names built from word lists, and local names typed from them with the
// kinds of changes people make. Deterministic for a given seed.

var (
	genSurnames = strings.Fields(`Hartley Oakwood Patel Smith Jones Taylor Brown Wilson Evans Thomas
		Roberts Walker Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Martin
		Jackson Clarke Clark Turner Hill Scott Cooper Morris Ward Moore King Watson Baker Harrison Morgan
		Patterson Young Allen Mitchell James Anderson Phillips Lee Bell Parker Davis Campbell Kelly Khan
		Singh Ahmed Murphy OSullivan Byrne Walsh McCarthy Gallagher Doyle Kennedy Lynch Quinn Nolan
		Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Koch Richter Klein Wolf
		Dubois Martin Bernard Moreau Laurent Lefevre Garcia Martinez Lopez Sanchez Perez Rossi Russo
		Ferrari Esposito Bianchi Romano Colombo Jansen DeVries VanDijk Bakker Visser Svensson Johansson
		Karlsson Nilsson Virtanen Korhonen Hansen Nielsen Larsen Kowalski Nowak Wisniewski Novak Horvath
		Ashby Fletcher Chambers Pemberton Whitaker Ainsworth Barraclough Crowther Holroyd Sutcliffe`)
	genPlaces = strings.Fields(`Leeds York Harrogate Bradford Halifax Wakefield Huddersfield Ilkley Otley
		Skipton Ripon Selby Goole Hull Beverley Whitby Scarborough Malton Pickering Thirsk Durham
		Darlington Sunderland Gateshead Newcastle Carlisle Kendal Lancaster Preston Bolton Wigan Oldham
		Rochdale Bury Stockport Chester Crewe Derby Nottingham Lincoln Sheffield Rotherham Barnsley
		Doncaster Grimsby Boston Norwich Ipswich Cambridge Oxford Reading Swindon Bristol Bath Exeter
		Plymouth Truro Cardiff Swansea Newport Glasgow Edinburgh Dundee Aberdeen Inverness Perth Stirling
		Belfast Derry Galway Cork Limerick Dublin Sligo Kilkenny Boston Denver Austin Dallas Phoenix
		Seattle Portland Sydney Melbourne Brisbane Perth Auckland Wellington Toronto Ottawa Calgary`)
	genTrades = strings.Fields(`Dental Plumbing Heating Electrical Roofing Builders Joinery Carpentry
		Accountants Solicitors Legal Veterinary Physiotherapy Chiropractic Opticians Pharmacy Surveyors
		Engineering Landscaping Cleaning Security Logistics Transport Haulage Marine Manufacturing Catering
		Bakery Brewery Kitchens Interiors Motors Printing Marketing Software Consulting Insurance Realty
		Lettings Architects Tutoring Decorators Glazing Scaffolding Flooring Locksmiths Removals Florists`)
	genKinds = strings.Fields(`Practice Clinic Centre Group Services Solutions Associates Partners Care
		Studio Supplies Systems Agency`)
	genAdjectives = strings.Fields(`Bright Golden Silver Green Blue Red White Black Royal Grand Little
		Old New North South East West Upper Lower High Fair Clear Happy Smart Swift Prime Summit Apex
		Pinnacle Evergreen Riverside Lakeside Hillside Meadow Harbour Coastal Valley Castle Bridge`)
	genNouns = strings.Fields(`Smile Oak Willow Cedar Birch Acorn Lion Fox Hart Swan Star Sun Moon
		Rose Thistle Heather Fern Ivy Holly Maple Beacon Anchor Compass Arrow Crown Key Gate Tower Mill`)
	genInstitutions = strings.Fields(`Primary-School Grammar-School Academy Town-Council Parish-Council
		Borough-Council Community-Trust Housing-Association Chamber-of-Commerce Cricket-Club
		Football-Club Golf-Club Baptist-Church Medical-Centre Care-Home Food-Bank Credit-Union Hospice`)
	genLegal = strings.Fields(`Ltd Ltd Ltd Limited LLP Inc. LLC Pty-Ltd GmbH AG S.A. S.r.l. B.V. AB Oy AS ApS
		Sp.-z-o.o. s.r.o. Kft. SARL Co.`)
	genAbbrev = map[string]string{"Services": "Svcs", "Associates": "Assoc", "Manufacturing": "Mfg",
		"Centre": "Ctr", "Brothers": "Bros", "International": "Intl", "Medical": "Med", "Council": "Cncl",
		"Engineering": "Eng", "Management": "Mgmt"}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// genHaloName makes one plausible HaloPSA client name.
func genHaloName(r *rand.Rand) string {
	var name string
	switch r.IntN(6) {
	case 0:
		name = pick(r, genSurnames) + " " + pick(r, genTrades)
	case 1:
		name = pick(r, genSurnames) + " & " + pick(r, genSurnames) + " " + pick(r, genTrades)
	case 2:
		name = pick(r, genAdjectives) + " " + pick(r, genNouns) + " " + pick(r, genTrades)
	case 3:
		name = pick(r, genPlaces) + " " + pick(r, genTrades) + " " + pick(r, genKinds)
	case 4:
		name = pick(r, genPlaces) + " " + strings.ReplaceAll(pick(r, genInstitutions), "-", " ")
	default:
		name = pick(r, genSurnames) + " " + pick(r, genTrades) + " " + pick(r, genKinds)
	}
	if r.IntN(10) < 6 {
		name += " " + strings.ReplaceAll(pick(r, genLegal), "-", " ")
	}
	if r.IntN(20) == 0 {
		name += " - " + pick(r, genPlaces)
	}
	return name
}

// typeLike changes a name the way people type it: one or two of lower
// case, legal form dropped, "&" as "and", an abbreviation, a typo, a word
// dropped, a location tag.
func typeLike(r *rand.Rand, name string) string {
	for range 1 + r.IntN(2) {
		words := strings.Fields(name)
		switch r.IntN(7) {
		case 0:
			name = strings.ToLower(name)
		case 1:
			if len(words) > 2 {
				name = strings.Join(words[:len(words)-1], " ")
			}
		case 2:
			name = strings.ReplaceAll(name, "&", "and")
		case 3:
			for long, short := range genAbbrev {
				name = strings.ReplaceAll(name, long, short)
			}
		case 4:
			i := r.IntN(len(words))
			if w := []rune(words[i]); len(w) >= 5 {
				j := 1 + r.IntN(len(w)-2)
				w[j], w[j+1] = w[j+1], w[j]
				words[i] = string(w)
				name = strings.Join(words, " ")
			}
		case 5:
			name += " (Main Office)"
		case 6:
			if len(words) > 3 {
				i := 1 + r.IntN(len(words)-2)
				name = strings.Join(append(words[:i:i], words[i+1:]...), " ")
			}
		}
	}
	return name
}

// genBooks returns n HaloPSA clients and n local clients, 85% of which are
// typed from a HaloPSA client and 15% are new. label maps local id to
// HaloPSA id (0 for none).
func genBooks(n int, seed uint64) (locals []Local, halo []Candidate, label map[int64]int64) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	seen := map[string]bool{}
	unique := func() string {
		for {
			name := genHaloName(r)
			if k := Normalize(name); !seen[k] {
				seen[k] = true
				return name
			}
		}
	}
	for i := range n {
		halo = append(halo, Candidate{ID: int64(100000 + i), Name: unique()})
	}
	label = map[int64]int64{}
	order := r.Perm(n)
	for i := range n {
		id := int64(i + 1)
		if r.IntN(100) < 15 {
			locals = append(locals, Local{ID: id, Name: unique()})
			label[id] = 0
			continue
		}
		h := halo[order[i]]
		locals = append(locals, Local{ID: id, Name: typeLike(r, h.Name)})
		label[id] = h.ID
	}
	return locals, halo, label
}
