package halosim

// Word lists for the generated tenant. All names are invented.

var companyStems = []string{
	"Hartley", "Northwind", "Ashford", "Bramwell", "Calder", "Denholm", "Elmstead", "Fairbairn",
	"Glenmore", "Holloway", "Ironbridge", "Juniper", "Kestrel", "Larkspur", "Marlowe", "Netherby",
	"Oakridge", "Pemberton", "Quarry Hill", "Redfern", "Saltmarsh", "Thornbury", "Upfield", "Vale",
	"Westbrook", "Yarrow", "Alder", "Blackwood", "Cobalt", "Driftwood", "Evergreen", "Foxglove",
	"Granite", "Heron", "Kingfisher", "Lindqvist", "Meridian", "Northgate", "Orchard", "Pinnacle",
	"Riverside", "Summit", "Trident", "Union Street", "Victoria", "Wexford", "Abbott", "Brightwater",
	"Castleton", "Dunmore", "Eastleigh", "Fenwick", "Greenhalgh", "Harrowgate", "Keswick", "Lomond",
	"Moorcroft", "Newhaven", "Ormsby", "Prescott", "Rowntree", "Sherwood", "Tamworth", "Whitmore",
}

var companyTrades = []string{
	"Dental Group", "Traders", "Logistics", "Accountancy", "Legal", "Engineering", "Veterinary Clinic",
	"Architects", "Builders", "Consulting", "Property Management", "Manufacturing", "Medical Centre",
	"Solicitors", "Print & Design", "Haulage", "Insurance Brokers", "Estate Agents", "Opticians",
	"Recruitment", "Catering", "Plumbing & Heating", "Electrical", "Marketing", "Wealth Management",
	"Pharmacy", "Motors", "Joinery", "Surveyors", "Foods", "Software", "Care Homes", "Academy Trust",
	"Hotels", "Landscaping", "Freight", "Interiors", "Physiotherapy", "Packaging", "Financial Planning",
}

var companySuffixes = []string{"Ltd", "Ltd", "Ltd", "Limited", "Inc", "LLC", "LLP", "PLC", "& Co", "Group", ""}

var tlds = []string{".co.uk", ".co.uk", ".com", ".com", ".net", ".org.uk", ".io"}

var firstNames = []string{
	"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Sophia", "Leo",
	"Grace", "Arthur", "Lily", "Oscar", "Freya", "Charlie", "Emily", "Thomas", "Ella", "James",
	"Poppy", "William", "Evie", "Henry", "Chloe", "Samuel", "Ruby", "Daniel", "Hannah", "Priya",
	"Arjun", "Mohammed", "Aisha", "Chen", "Mei", "Sean", "Siobhan", "Lukasz", "Zofia", "Raj",
	"Fatima", "Tomasz", "Ines", "Mateo", "Olga", "Kwame", "Ama", "Dylan", "Megan",
}

var surnames = []string{
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
	"Robinson", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
	"Clarke", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
	"King", "Harris", "Baker", "Lewis", "Mitchell", "Kowalski", "Nowak", "O'Brien", "Murphy", "Singh",
	"Ahmed", "Ali", "Begum", "Chen", "Wang", "Mensah", "Okafor", "Garcia", "Rossi", "MacLeod",
}

var towns = []string{
	"Leeds", "Manchester", "Bristol", "York", "Norwich", "Exeter", "Derby", "Reading", "Swindon",
	"Bath", "Durham", "Chester", "Lincoln", "Ipswich", "Preston", "Luton", "Slough", "Harrogate",
	"Cardiff", "Swansea", "Glasgow", "Dundee", "Belfast", "Carlisle", "Truro", "Hereford",
	"Worcester", "Stafford", "Kendal", "Whitby", "Ripon", "Wakefield", "Halifax", "Bolton",
}

var siteKinds = []string{"Office", "Branch", "Warehouse", "Depot", "Surgery", "Showroom", "Clinic", "Studio"}

var mainSiteNames = []string{"Head Office", "Head Office", "Main Office", "HQ", "Main Site"}

var streets = []string{
	"High Street", "Station Road", "Church Lane", "Mill Road", "Victoria Road", "Park Avenue",
	"Kings Road", "Queen Street", "Market Place", "Bridge Street", "London Road", "The Green",
	"Harbour Way", "Enterprise Park", "Riverside Court", "Canal Wharf",
}

var ticketSummaries = []string{
	"Printer not printing", "Password reset", "Outlook keeps crashing", "VPN drops every hour",
	"New starter: laptop and accounts", "Leaver: disable accounts", "Cannot access shared drive",
	"Slow Wi-Fi in meeting room", "Teams calls dropping", "Request: second monitor",
	"Phishing email reported", "Backup job failed", "Server disk space low", "MFA phone replaced",
	"Install accounting software update", "Website SSL certificate expiring",
}

var colours = []string{"#1abc9c", "#3498db", "#9b59b6", "#e67e22", "#e74c3c", "#95a5a6", "#2c3e50", ""}
