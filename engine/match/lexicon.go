package match

import "strings"

// The word lists that normalisation and scoring rely on. They are data, kept
// in one file so that a missing legal form or abbreviation is a one-line fix.
// Every word is written as it looks after folding: lower case, no accents, no
// dots ("S.r.l." is tokenised as "srl").

// legalForms are company-form words, stripped from the end of a name
// ("Hartley Dental Ltd" -> "hartley dental") and dropped from location tags.
var legalForms = setOf(`
	ltd limited inc incorporated corp corporation co company llc lc llp lp plc
	pllc pc pa pty proprietary pvt private pte sdn bhd dac clg cic cio uc ulc
	gmbh mbh ggmbh ag kg kgaa ohg ug gbr ev ek eg partg mbb se aktiengesellschaft
	sa sas sasu sarl eurl sca snc sci selarl sl slu slp sll srl srls spa sapa scarl
	bv nv vof cv bvba cvba vzw asbl ab publ oy oyj as asa aps ans ks hf ehf ohf sf
	spzoo zoo sro vos kft zrt nyrt bt kkt uab sia ou doo dd sti ltda lda sab kk yk gk`)

// legalPhrases are company forms of several tokens ("S.A. de C.V.",
// "Sp. z o.o."), stripped from the end of a name like legalForms.
var legalPhrases = [][]string{
	{"sa", "de", "cv"}, {"s", "de", "rl"}, {"sp", "z", "oo"}, {"spol", "s", "ro"},
	{"de", "cv"}, {"z", "oo"}, {"ltd", "sti"}, {"pty", "ltd"},
}

// leadingLegal are company forms that some countries write first
// ("Oy Karl Fazer", "UAB Vilniaus"); stripped only when two words remain.
// Not "AB": at the front it is more often initials ("A.B. Patel").
var leadingLegal = setOf(`oy uab sia ooo oao zao`)

// qualifiers are the words of a location tag: in "Acme - North" or
// "Acme (Main Office)" they are dropped; a place name in a tag is kept.
var qualifiers = setOf(`
	main head office offices hq headquarters branch site campus north south east
	west northeast northwest southeast southwest central downtown uptown midtown
	location store depot annex annexe building the`)

// abbreviations maps a spelling to the canonical word for its group, so that
// "Svcs", "Serv." and "Services" compare equal. Ambiguous short forms map to
// the short form: "st" is both Saint and Street, "assoc" both associates and
// association.
var abbreviations = buildAbbreviations(map[string]string{
	"assoc":         "assoc assn assocs associates association associated asso",
	"services":      "svc svcs serv servs srvcs service services",
	"manufacturing": "mfg mfr mfrs manuf manufacturing manufacturers",
	"international": "intl internat international",
	"brothers":      "bros bro brothers",
	"st":            "st saint street",
	"mt":            "mt mount",
	"ft":            "ft fort",
	"pt":            "pt point",
	"centre":        "ctr cntr ctre center centre",
	"department":    "dept dpt department",
	"management":    "mgmt mgt mngmt management",
	"medical":       "med medical",
	"hospital":      "hosp hospital",
	"university":    "univ university",
	"national":      "natl national",
	"government":    "govt government",
	"council":       "cncl council",
	"society":       "soc society",
	"cooperative":   "coop cooperative",
	"engineering":   "eng engg engr engineering",
	"electrical":    "elec electrical",
	"technology":    "tech technologies technology",
	"systems":       "sys systems",
	"solutions":     "soln solns solutions",
	"enterprises":   "ent ents enterprises",
	"properties":    "prop props property properties",
	"insurance":     "ins insurance",
	"accounting":    "acct accts accountant accountants accountancy accounting",
	"veterinary":    "vet vets veterinary veterinarian veterinarians",
	"physiotherapy": "physio physiotherapy physiotherapists",
	"group":         "grp group",
	"holdings":      "hldgs holdings",
	"partners":      "ptnrs partners",
	"school":        "sch school",
	"academy":       "acad academy",
	"community":     "cmty comty community",
	"road":          "rd road",
	"avenue":        "ave avenue",
	"square":        "sq square",
	"heights":       "hts heights",
	"marketing":     "mktg marketing",
	"financial":     "fin finl financial",
	"development":   "dev development",
	"building":      "bldg building",
	"builders":      "bldrs builders",
	"construction":  "constr construction",
	"northwest":     "nw northwest",
	"southwest":     "sw southwest",
	"laboratory":    "lab labs laboratory laboratories",
	"first":         "1st first",
	"second":        "2nd second",
	"third":         "3rd third",
})

// phrases are multi-word rewrites applied before anything is stripped.
var phrases = []struct{ from, to []string }{
	{[]string{"church", "of", "england"}, []string{"c", "of", "e"}},
	{[]string{"cofe"}, []string{"c", "of", "e"}},
	{[]string{"co", "op"}, []string{"cooperative"}},
	{[]string{"co", "operative"}, []string{"cooperative"}},
}

// Token weights: how much a word says about which client a name is.
const (
	weightStop    = 0.1  // "of", "and", "de": carries no identity
	weightInitial = 0.3  // a lone letter, often dropped or added ("J W Robinson")
	weightFiller  = 0.25 // "group", "services": often added or dropped
	weightType    = 0.5  // the trade: "dental" vs "plumbing" tells siblings apart
	weightName    = 1.0  // everything else: names, places
)

var stopWords = setOf(`
	the of and for at in on to an a de la le les du des der die das den dem van von
	y e i et und och og en es si da do di del della degli el los las al`)

var fillerWords = setOf(`
	group assoc partners services solutions systems enterprises holdings
	international national global regional family trading uk company and sons son
	limited ltd inc co`)

var typeWords = setOf(`
	dental dentist dentists dentistry orthodontics orthodontic medical surgery
	practice practise clinic hospital hospice pharmacy veterinary physiotherapy
	chiropractic optometrists optometrist opticians care home nursing health
	healthcare law legal solicitors lawyers attorneys advocaten notarissen
	rechtsanwalte accounting tax financial wealth insurance planning management
	properties estate estates agents lettings letting realty realtors surveyors
	plumbing plumbers heating electrical electric electricals roofing builders
	building construction joinery carpentry engineering landscaping cleaning
	security logistics transport haulage freight marine manufacturing supplies
	supply consulting consultancy trust charity foundation assoc society club
	council parish town borough district county city school primary academy
	college university nursery preschool montessori church community centre
	project hotel restaurant cafe bar pub inn bakery brewery kitchens interiors
	digital marketing software technology printing print imports exports
	wholesale motors automotive garage salon beauty hair florist florists kennels
	farm shop market bau elektro elektrotechnik steuerberatung zahnarztpraxis
	immobilien treuhand backerei baeckerei clinica transportes construcciones
	farmacia studio legale boulangerie cabinet dentaire societe
	tandartsenpraktijk installatietechniek logistiek bygg rakennus maleri
	revision regnskap eiendom stavby construct consultoria contabilidade
	importaciones design laboratories laboratory lab architects architekten
	catering insaat physicians surgeons medicine department chamber commerce
	union housing trading travel agency tutoring`)

func setOf(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// isAcronymWord reports whether s could be an acronym ("hdg", "tc"): two
// to six letters and not a word the lists above know ("mt", "st", "ltd").
func isAcronymWord(s string) bool {
	if len(s) < 2 || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	_, abbr := abbreviations[s]
	return !abbr && !stopWords[s] && !legalForms[s]
}

func buildAbbreviations(groups map[string]string) map[string]string {
	m := make(map[string]string)
	for canon, spellings := range groups {
		for _, s := range strings.Fields(spellings) {
			m[s] = canon
		}
	}
	return m
}

// weightOf is the weight of a normalised token.
func weightOf(t string) float64 {
	switch {
	case stopWords[t]:
		return weightStop
	case len(t) == 1:
		return weightInitial
	case fillerWords[t]:
		return weightFiller
	case typeWords[t]:
		return weightType
	}
	return weightName
}
