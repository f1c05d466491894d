"""Small word lists used to tell names from words in transcripts (written for this project; extend as needed).

``COMMON_WORDS``: frequent English words, including the everyday words that are also first names or surnames
("hope", "grace", "will", "price"). A register name found in this list is treated as *also a word*: it is
replaced when capitalised mid-sentence, replaced and flagged at the start of a sentence, and kept (but flagged)
in lower case. A capitalised word at the start of a sentence that is not in this list, and not seen in lower
case elsewhere in the text, is flagged as a possible unregistered name.

``NOT_NAMES``: words that are capitalised mid-sentence but identify nobody (days, months, family words, school
subjects, services of the care system). They are never flagged.
"""

from __future__ import annotations

_COMMON = """
a about above across actually after afternoon again against ago all almost alone along already also although
always am among an and another any anybody anyone anything anyway anywhere are around as ask asked at away
back bad be because become been before began being believe best better between big bit both boy brilliant
bring brought but by call called came can cannot could course day days did different do does doing done
don't down during each early easy either else end enough even evening ever every everybody everyone
everything exactly feel felt few find first for found friend friends from fun gave get gets getting girl
give go goes going gone good got great had half happy hard has have having he her here hers herself him
himself his home honestly how however i if important in inside instead into is it its itself just keep
kind kind of knew know last later least less let like little lot lots made make many maybe me mean meant
might mine more morning most mostly much must my myself need never new next nice night no nobody none nor
not nothing now of off often oh ok okay old on once one only or other others our out outside over own
people perhaps place please pretty probably quite rather really right said same saw say says school see
seem seemed she should since so some somebody someone something sometimes soon sorry still such sure take
talk talked tell than thank thanks that the their them themselves then there these they thing things think
this those though thought through time to today together told too took tried try trying twice two um under
until up upon us used usually very want wanted was we week weekend well went were what whatever when where
whether which while who whole whom whose why with within without woman work would yeah year years yes yet
you your yours yourself
also anyway basically because before definitely especially eventually finally first firstly generally
hopefully luckily mainly maybe naturally normally obviously personally possibly recently second secondly
similarly suddenly then therefore thirdly totally unfortunately
able activity art book bored boring calm care class confidence confident difficult drama drawing film
friendship games group help helped helping learn learned learning lesson lessons listen listened mentor
mentoring music new normal painting photo photos poem poetry project relationship session sessions story
stories support talking teacher teachers together trust worried worry writing
hope grace joy faith will may june april august rose lily iris ruby amber jade crystal dawn summer autumn
sky river rain storm mark bill pat sue rob frank art drew guy jack penny holly ivy daisy poppy heather
hazel violet pearl ray sandy rusty chase hunter mason baker cook smith brown green white black young king
wood hill hall wells bell marsh field rich long short page price bishop stone fisher miller walker turner
carter cooper ward fox lamb moss reed rice bush bird swan hope hunt gray grey gold silver north south east
west love honey star sunny angel sonny bunny buddy chance destiny harmony melody justice liberty trinity
precious patience mercy charity constance prudence sterling noble royal blessing
"""

_NOT_NAMES = """
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december christmas easter halloween diwali eid hanukkah ramadan
mum mummy mom dad daddy nan nana nanna nanny gran granny grandma grandad granddad grandpa auntie aunty uncle
sir miss mr mrs ms mx dr
english maths mathematics science biology chemistry physics history geography art drama music pe re
french spanish german computing ict technology design dance media
god jesus allah
year reception nursery college sixth form university uni gcse gcses a-level a-levels btec sats ks1 ks2 ks3 ks4
virtual school head teacher headteacher senco pep pupil premium plus council local authority social
services care team ofsted nhs camhs gp hospital police court youth offending service children's home
foster leaving leaver pathway plan personal education advisor adviser worker iro independent reviewing officer
ok okay tv youtube tiktok instagram snapchat whatsapp facebook xbox playstation minecraft fortnite netflix
england britain uk english british scotland wales ireland london
interviewer interviewee mentee mentor carer facilitator researcher participant speaker
i i'm i've i'll i'd
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


COMMON_WORDS: frozenset[str] = _words(_COMMON)
NOT_NAMES: frozenset[str] = _words(_NOT_NAMES)
TITLES: tuple[str, ...] = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir")

#: Generic words of school and place names: "Oakfield Academy" is also written "Oakfield" (its short name).
ORGANISATION_WORDS: frozenset[str] = _words("""
academy school primary secondary high junior infant infants nursery college grammar community free trust
catholic rc c of e ce church england foundation federation centre center unit pru studio studios upper lower
middle sixth form centre unit campus
""")

#: Familiar forms of given names that are not simply the start of the name (those are found by prefix):
#: a short list of common English diminutives, written for this project. Keys and values are lower case.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "katherine": ("kay", "kate", "katie", "kath", "kat", "kitty"), "catherine": ("kay", "kate", "katie", "cath", "cat"),
    "kathryn": ("kay", "kate", "katie", "kath"), "kayleigh": ("kay", "kayla"), "william": ("bill", "billy", "will", "liam"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"), "richard": ("rick", "ricky", "rich", "dick"),
    "margaret": ("maggie", "meg", "peggy", "madge"), "james": ("jim", "jimmy", "jamie", "jay"),
    "john": ("jack", "johnny", "jonny"), "henry": ("harry", "hal"), "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "libby", "eliza", "bess"), "anthony": ("tony", "ant"),
    "alexander": ("alex", "sandy", "sasha", "xander", "al"), "alexandra": ("alex", "sandy", "sasha", "lexi"),
    "charles": ("charlie", "chaz", "chuck"), "charlotte": ("charlie", "lottie", "lotte"), "mary": ("molly", "polly"),
    "sarah": ("sally", "sadie"), "rebecca": ("becky", "becca", "bex"), "jennifer": ("jen", "jenny"),
    "joanne": ("jo",), "josephine": ("jo", "josie"), "isabel": ("izzy", "bella"), "isabella": ("izzy", "bella"),
    "isabelle": ("izzy", "bella"), "eleanor": ("ellie", "nell", "nora"), "helen": ("nell",), "abigail": ("abby", "abi"),
    "natasha": ("tash", "tasha"), "natalie": ("nat",), "nathaniel": ("nat", "nate"), "nathan": ("nat", "nate"),
    "alfred": ("alfie", "alf"), "frederick": ("fred", "freddie", "freddy"), "theodore": ("theo", "teddy", "ted"),
    "archibald": ("archie",), "michael": ("mike", "mick", "mikey", "micky"), "daniel": ("dan", "danny"),
    "samuel": ("sam", "sammy"), "samantha": ("sam", "sammy"), "thomas": ("tom", "tommy"), "joseph": ("joe", "joey"),
    "benjamin": ("ben", "benny"), "christopher": ("chris", "kit"), "matthew": ("matt", "matty"),
    "nicholas": ("nick", "nicky"), "jacob": ("jake",), "joshua": ("josh",), "oliver": ("ollie", "olly"),
    "harriet": ("hattie",), "victoria": ("vicky", "tori"), "susan": ("sue", "susie"), "patricia": ("pat", "patty", "trish"),
    "priyanka": ("priya",), "mohammed": ("mo",), "muhammad": ("mo",), "tyrone": ("ty",), "tyler": ("ty",),
    "zoe": ("zo",), "gareth": ("gaz",), "sharon": ("shaz",), "kerry": ("kez",), "terence": ("terry", "tel"),
}
