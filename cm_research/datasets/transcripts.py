"""Seeded generator of a synthetic interview corpus for the thematic-analysis demo.

Twelve invented interviews (mentees, mentors, carers, social workers and a Virtual School Head across the
demo sites Northshire, Easton and Westbury), 1,000-3,000 words each, written for this project. Every file is
named ``synthetic_...``, starts with a SYNTHETIC notice, and the folder holds a SYNTHETIC.txt marker.
Pseudonyms only; mentees' ``Participant ID`` values are mentored ids of the synthetic demo participants.

Because the generator knows which code each answer sentence was written to illustrate, it also writes a
synthetic *human coding* by two coders (``coding/synthetic_coding_two_coders.csv``): "Coder A" codes every
sentence as written; "Coder B" disagrees now and then (drops a code, picks a sibling code in the same
theme, or adds one), so the demo can show agreement statistics. Both are invented, like the interviews.

The interviews vary the transcript conventions the reader supports: ``Interviewer:``/name labels, ``Q:``/``A:``,
``[hh:mm:ss]`` time stamps, one Word (.docx) file and one Windows-1252 text file.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from cm_research.datasets.synthetic import DEMO_SEED

HERE = Path(__file__).resolve().parent
TRANSCRIPTS_DIR = HERE / "data" / "transcripts"
CODING_FILE = "coding/synthetic_coding_two_coders.csv"
NOTICE = ("SYNTHETIC INTERVIEW - invented by cm_research.datasets.transcripts (seed {seed}). "
          "No real person is described; pseudonyms only.")


@dataclass(frozen=True)
class InterviewSpec:
    number: int
    role: str
    site: str
    pseudonym: str
    topics: tuple[str, ...]
    style: str = "names"  # names | qa | timestamps
    fmt: str = "txt"  # txt | docx | cp1252
    about: str = ""  # the mentee (for adults) or mentor (for mentees) they talk about
    art: str = "art"
    date: str = "2024-05-14"

    @property
    def slug(self) -> str:
        return f"synthetic_{self.number:02d}_{self.site.lower()}_{self.role}"


MENTEE_TOPICS = ("start", "match", "trust", "listened", "creative", "activities", "confidence", "school",
                 "feelings", "stigma", "future", "ending")
INTERVIEWS: tuple[InterviewSpec, ...] = (
    InterviewSpec(1, "mentee", "Northshire", "Jade", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:], about="Priya",
                  art="photography", date="2024-05-14"),
    InterviewSpec(2, "mentor", "Northshire", "Priya", ("start", "match", "relationship", "creative", "change",
                                                        "school", "support", "time", "ending"),
                  about="Jade", art="photography", date="2024-05-16"),
    InterviewSpec(3, "carer", "Northshire", "Sandra", ("start", "relationship", "change", "school", "feelings",
                                                        "network", "ending"),
                  fmt="docx", about="Jade", art="photography", date="2024-05-21"),
    InterviewSpec(4, "vsh", "Northshire", "Ruth", ("start", "why", "parent", "partnership", "voice", "network",
                                                    "outcomes", "mentors", "ending", "future"),
                  style="timestamps", date="2024-06-03"),
    InterviewSpec(5, "mentee", "Easton", "Kai", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:9] + MENTEE_TOPICS[10:],
                  style="timestamps", about="Tom", art="music", date="2024-04-09"),
    InterviewSpec(6, "mentee", "Easton", "Amira", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:], style="qa",
                  about="Tom", art="drama", date="2024-04-11"),
    InterviewSpec(7, "mentor", "Easton", "Tom", ("start", "match", "relationship", "creative", "change", "school",
                                                  "support", "ending"),
                  about="Kai", art="music", date="2024-04-12"),
    InterviewSpec(8, "social_worker", "Easton", "Dele", ("start", "relationship", "change", "school", "voice", "network",
                                                          "stigma", "ending"),
                  fmt="cp1252", about="Amira", art="drama", date="2024-04-18"),
    InterviewSpec(9, "carer", "Easton", "Mick", ("start", "relationship", "change", "school", "feelings", "network",
                                                  "ending"),
                  about="Amira", art="drama", date="2024-04-23"),
    InterviewSpec(10, "mentee", "Westbury", "Tyler", MENTEE_TOPICS[:4] + MENTEE_TOPICS[5:8] + MENTEE_TOPICS[9:],
                  about="Gwen", art="cooking", date="2024-06-11"),
    InterviewSpec(11, "mentor", "Westbury", "Gwen", ("start", "match", "relationship", "activities", "change",
                                                      "careers", "support", "time", "ending"),
                  style="qa", about="Tyler", art="cooking", date="2024-06-12"),
    InterviewSpec(12, "social_worker", "Westbury", "Hannah", ("start", "relationship", "change", "school", "voice",
                                                               "network",
                                                               "stigma", "ending"),
                  about="Tyler", date="2024-06-19"),
)

# ------------------------------------------------------------------------------------------------------- the bank
# Each topic: interviewer questions, then answer sentences "code|sentence" ("-|" for a sentence with no code,
# "code+code|" for one that carries two).
# {about} is the person the interviewee talks about, {art} the main activity.

BANK: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "mentee": {
        "start": (
            ("Thanks for talking to me today. Can you tell me how you first heard about having a mentor?",
             "To start with, how did the mentoring begin for you?"),
            ("-|My social worker said there was this project and asked if I wanted to try it.",
             "-|I said yes mostly because it meant getting out of maths on a Thursday.",
             "anxiety_and_calm|I was really nervous before the first meeting because I didn't know who was coming.",
             "-|We met in the little room next to the library at school.",
             "trust_and_openness|I didn't really talk much the first few times, I just sort of watched.",
             "-|It was a bit awkward at the start, to be honest.",
             "consistency_and_reliability|After a few weeks I knew {about} would be there every Thursday, no matter what.",
             "-|I thought it would be like another meeting with professionals, but it wasn't.",
             "power_balanced_partnership|{about} asked me what I wanted to do, which nobody normally asks.")),
        "match": (
            ("Why do you think you and {about} were put together?",
             "What was it like getting to know {about}?"),
            ("matching_by_interests|They matched us because we're both into {art}, that was the main thing.",
             "matching_by_interests|We found out we had loads in common, like the same music and the same daft films.",
             "-|The first thing {about} showed me was some of their own stuff.",
             "matching_by_interests|I think if they'd put me with someone who didn't like {art} it wouldn't have worked.",
             "trust_and_openness|{about} didn't feel like a stranger for very long.",
             "-|We laughed a lot in the second session, I remember that.",
             "matching_by_interests|It felt like whoever did the matching actually read what I'd said about myself.")),
        "trust": (
            ("How did you get on with {about}?",
             "What made the relationship work, do you think?"),
            ("trust_and_openness|I could tell {about} things I'd never told anyone before.",
             "trust_and_openness|I trust {about} more than most adults, if I'm honest.",
             "consistency_and_reliability+trust_and_openness|Other adults have let me down loads of times, but {about} never did.",
             "consistency_and_reliability|When {about} said they'd do something, they actually did it.",
             "power_balanced_partnership+feeling_heard|It wasn't like a teacher telling me what to do, we decided together.",
             "power_balanced_partnership|It felt like we were on the same level, like a partnership.",
             "power_balanced_partnership|If I didn't want to do something that day, it was up to me.",
             "trust_and_openness|I felt safe in the sessions, which is not something I say much.",
             "-|Sometimes we just sat and had a hot chocolate and talked about nothing.",
             "trust_and_openness|After a while I opened up about stuff at home.")),
        "listened": (
            ("Did you feel listened to?",
             "Some young people say adults don't always listen. What was it like with {about}?"),
            ("feeling_heard|{about} actually listened to me instead of just writing things down.",
             "feeling_heard|I never felt judged, even when I said something stupid.",
             "feeling_heard|Most people just nod, but {about} would remember what I said the week before.",
             "voice_in_decisions+joined_up_working|At my last PEP meeting I said what I wanted and it actually went in the plan.",
             "voice_in_decisions|{about} helped me work out what I wanted to say to my social worker.",
             "-|I don't always like talking about my feelings, so we did it while doing other stuff.",
             "feeling_heard|It was the first time someone took me seriously about school.")),
        "creative": (
            ("Tell me about the {art}. What did you make?",
             "What was the {art} like?"),
            ("arts_activity|We did a lot of {art} together, mostly in the park and round town.",
             "arts_activity|I made a whole project with my {art} and it went in an exhibition.",
             "expressing_feelings_through_art+arts_activity|When I can't say something, I can put it in my {art} instead.",
             "expressing_feelings_through_art|It helped me get stuff out of my head without having to talk about it.",
             "arts_activity|I'd never done {art} properly before, I didn't even know I'd like it.",
             "expressing_feelings_through_art|Some of it was about my mum, but I didn't have to explain it to anyone.",
             "self_worth+arts_activity|People came to see it and said it was really good, and I felt proud of it.",
             "arts_activity|We went to a gallery in the city and looked at other people's work.",
             "trying_new_things|It was the first time I'd ever been to a gallery.")),
        "activities": (
            ("What kinds of things did you do together?",
             "What did a normal session look like?"),
            ("shared_activities|We did cooking at {about}'s work kitchen and then sometimes football in the park.",
             "shared_activities|We went climbing once and I got right to the top of the wall.",
             "trying_new_things|I'd never been on a train into the city on my own before we practised it.",
             "shared_activities|Mostly we just went for walks and got chips and talked.",
             "trying_new_things|I tried loads of new things, like bowling and that museum with the trains.",
             "-|Sometimes the weather was rubbish so we just sat in a cafe.",
             "shared_activities|We made a curry together and I took some home for my foster carer.")),
        "confidence": (
            ("Has anything changed for you since you started?",
             "Do you feel more confident than you did before?"),
            ("-|At the start I didn't feel confident at all, I wouldn't even look at people.",
             "confidence_gained|I'm way more confident now, I even spoke in assembly.",
             "confidence_gained|I can speak up in class now, which I never did before.",
             "self_worth|It made me feel like I actually mattered to someone.",
             "self_worth|I found out I'm actually good at something.",
             "confidence_gained|My carer says I walk differently now, like I believe in myself.",
             "trying_new_things|I even joined a club at school, which I would never have done.",
             "-|I'm not saying everything is sorted, because it isn't.",
             "confidence_gained|I wasn't confident about going to the youth club, but I went anyway and it was fine.")),
        "school": (
            ("How is school going at the moment?",
             "Has the mentoring made any difference to school?"),
            ("attendance+anxiety_and_calm|I used to miss whole weeks, but I'm going in most days now.",
             "attendance|Before, I'd get to the gate and just turn round and go home.",
             "engagement_in_learning|I actually did my English homework for once and the teacher was shocked.",
             "exclusion_and_behaviour|I haven't been excluded once this year, which is a record for me.",
             "exclusion_and_behaviour|Last year I was in isolation nearly every week.",
             "engagement_in_learning|I'm trying to catch up on the stuff I missed in Year 9.",
             "-|Some of the teachers are alright, some of them aren't.",
             "engagement_in_learning|I want to pass my GCSEs now, before I didn't care.")),
        "feelings": (
            ("How are you feeling in yourself these days?",
             "What happens now when things get difficult?"),
            ("managing_emotions|When I'm angry now I go for a walk instead of kicking off.",
             "anxiety_and_calm+attendance|I don't panic about going in like I used to.",
             "anxiety_and_calm|I still get anxious, but I know what to do about it now.",
             "managing_emotions|{about} taught me to count things I can see when it all gets too much.",
             "managing_emotions|I used to lose my temper over nothing, and I don't as much now.",
             "-|It's not like a magic fix or anything.",
             "anxiety_and_calm|Before the sessions I was worried all the time, about everything.")),
        "stigma": (
            ("Does being in care come up at school?",
             "How do you feel about people knowing you're in care?"),
            ("care_stigma|At school everyone knows you're the kid in care, and they treat you different.",
             "care_stigma|I hate when they take me out of lessons for meetings because then people ask why.",
             "care_stigma+identity_and_belonging|With {about} I didn't feel like a looked after child, I just felt normal.",
             "identity_and_belonging|The group made me feel part of something for once.",
             "identity_and_belonging|I'm working out who I am a bit more, if that makes sense.",
             "-|I don't really tell people, it's none of their business.")),
        "future": (
            ("What are you thinking about for the future?",
             "Has it made you think about what you want to do next?"),
            ("future_plans|I want to go to college and do a course in {art}.",
             "careers_and_work|{about} showed me round their office and explained what their job actually is.",
             "future_plans|Before I never thought about the future, I just thought about getting through the week.",
             "careers_and_work|I didn't know you could get a job doing something like that.",
             "future_plans|When I'm older I want to be a youth worker, so I can do this for someone else.",
             "careers_and_work+future_plans|We did my CV together, and now I've got work experience at a cafe.",
             "-|My carer says I can stay until I'm eighteen, so that helps.")),
        "ending": (
            ("How did things end with {about}, or are you still meeting?",
             "What was it like when the sessions finished?"),
            ("planned_endings|We had a last session where we looked back at everything we'd done.",
             "planned_endings|{about} made me a book of all my work so I could keep it.",
             "planned_endings|We talked about the ending for ages before it came, so it wasn't a shock.",
             "abrupt_endings|My last mentor just stopped coming and nobody told me why.",
             "transitions+consistency_and_reliability|When I moved placement, {about} still came to see me at the new house.",
             "transitions|I'm starting at a new school in September, so it's a lot of change.",
             "-|I'd like to see {about} again one day, just to show them how I'm doing.",
             "planned_endings|Saying goodbye was sad, but it was a good kind of sad.")),
    },
    "mentor": {
        "start": (
            ("Can you tell me a bit about how you came to be a mentor?",
             "How did you get involved in the programme?"),
            ("-|I'd worked with young people before, but never one to one like this.",
             "-|I saw the advert in the staff newsletter and thought, why not.",
             "training_and_supervision|The induction training was two days and it was really thorough.",
             "anxiety_and_calm|I was nervous that I wouldn't know what to say to {about}.",
             "-|I'd been working as a {art} practitioner for about ten years before this.",
             "training_and_supervision|They trained us on attachment and trauma, which changed how I saw everything.")),
        "match": (
            ("How were you matched with {about}?",
             "What did you know about {about} before you met?"),
            ("matching_by_interests|The coordinator matched us on interests, and it turned out we both love {art}.",
             "matching_by_interests|Having something in common gave us something to talk about straight away.",
             "-|I only knew a little from the referral form, which was probably right.",
             "joined_up_working|The referral came through the Virtual School, via {about}'s PEP.",
             "matching_by_interests|I think a good match matters more than anything else we did.")),
        "relationship": (
            ("How did the relationship develop?",
             "What helped you build trust with {about}?"),
            ("consistency_and_reliability+trust_and_openness|I made a point of never cancelling, because so many adults had let {about} down.",
             "consistency_and_reliability|Turning up every week, same time, same place, was half the job.",
             "trust_and_openness|It took about six weeks before {about} really opened up.",
             "power_balanced_partnership|I always let {about} choose the activity, it had to be their space.",
             "power_balanced_partnership|I wasn't there to tell {about} what to do, I had enough adults doing that.",
             "feeling_heard|Mostly I just listened, and I think that was rare for {about}.",
             "-|Some weeks we didn't get much done, and that was fine too.",
             "trust_and_openness|One day {about} told me something about home, and I knew then the trust was there.")),
        "creative": (
            ("Tell me about the creative side of the work.",
             "What role did the {art} play?"),
            ("arts_activity|We did {art} in almost every session, at school and out in the community.",
             "expressing_feelings_through_art+arts_activity|The {art} gave {about} a way to say things without having to say them.",
             "expressing_feelings_through_art|Some of the work was clearly about {about}'s feelings, and I never pushed.",
             "arts_activity|We put together a small exhibition at the library at the end.",
             "self_worth+arts_activity|Seeing people look at the work made {about} stand taller, you could see the pride.",
             "arts_activity|The creative work was the reason to meet, but the relationship was the point.")),
        "activities": (
            ("What did you do together?",
             "What did your sessions involve?"),
            ("shared_activities|We cooked a lot, because {about} loved it and I work near a kitchen.",
             "shared_activities|We went to football matches a couple of times, which {about} had never done.",
             "trying_new_things|A lot of it was about trying new things, like getting a bus across town.",
             "shared_activities|Sometimes we just walked round the park and talked.")),
        "change": (
            ("What changes, if any, have you seen in {about}?",
             "Did you notice a difference in {about} over time?"),
            ("confidence_gained|The biggest change was confidence, {about} started speaking up for themselves.",
             "confidence_gained|By the end {about} would order their own food in a cafe, which sounds small but isn't.",
             "anxiety_and_calm|{about} seemed much calmer, less on edge all the time.",
             "managing_emotions|I heard there were fewer blow-ups at home, and {about} said they could calm down quicker.",
             "self_worth|{about} started saying they were good at things, instead of putting themselves down.",
             "-|I don't want to take credit for everything, there was a lot going on in {about}'s life.")),
        "school": (
            ("Did you see any effect on school?",
             "How did school come into it?"),
            ("attendance|The school told me attendance had gone up since the autumn.",
             "engagement_in_learning|{about} started bringing homework to sessions, which we did together sometimes.",
             "exclusion_and_behaviour|There hadn't been a suspension since Christmas, apparently.",
             "joined_up_working+engagement_in_learning|I went to one PEP meeting, and the designated teacher was really supportive.",
             "-|School wasn't really my focus, but you can't avoid it.")),
        "careers": (
            ("Did the world of work come into it at all?",
             "How did your own job come into the mentoring?"),
            ("careers_and_work|I showed {about} round the council offices and introduced him to people in different jobs.",
             "careers_and_work|He had no idea what a planning officer does, or that you could get paid for it.",
             "future_plans|Now he talks about doing an apprenticeship, which he never mentioned before.",
             "council_as_parent+careers_and_work|As a council employee, it felt like doing something for one of our own children.",
             "careers_and_work|We did some work experience in our team for a week during the holidays.")),
        "support": (
            ("What support did you get as a mentor?",
             "Was there anyone you could go to when things were hard?"),
            ("training_and_supervision|Monthly supervision was where I worked out what to do when I was stuck.",
             "training_and_supervision|The peer support group with other mentors was brilliant.",
             "training_and_supervision|I didn't feel supported at the beginning, the supervisor was off sick.",
             "training_and_supervision|I always knew there was someone to talk to if I was worried.",
             "joined_up_working|Communication with the social worker could have been better, I found things out late.",
             "-|You do take some of it home with you, emotionally.")),
        "time": (
            ("How did you fit the mentoring around your job?",
             "What about time?"),
            ("time_and_workload|My manager let me take the time off, otherwise I couldn't have done it.",
             "time_and_workload|Some weeks it was hard to fit it in around deadlines.",
             "time_and_workload|There's an expectation you'll just make the hours up, which isn't always realistic.",
             "time_and_workload|Having it protected in my diary made all the difference.")),
        "ending": (
            ("How did the mentoring end?",
             "How did you prepare for the ending?"),
            ("planned_endings|We planned the ending for about two months, counting down the sessions.",
             "planned_endings|For the last session we made a memory book of everything we'd done.",
             "planned_endings|Saying goodbye was harder for me than I expected.",
             "abrupt_endings|My worry is when endings happen suddenly, because of a placement move.",
             "transitions|{about} was starting secondary school, so we timed the ending around that transition.",
             "-|I'd do it again tomorrow.")),
    },
    "carer": {
        "start": (
            ("Thanks for making time. How did you first hear about the mentoring?",
             "How did the mentoring come about for {about}?"),
            ("joined_up_working|The social worker mentioned it at a review, and the school made the referral.",
             "-|I wasn't sure at first, because there are already so many people coming through the house.",
             "-|{about} has had a lot of professionals over the years.",
             "anxiety_and_calm|{about} was really anxious before the first session, didn't sleep the night before.",
             "-|I drove {about} to the first couple of sessions.")),
        "relationship": (
            ("How would you describe {about}'s relationship with the mentor?",
             "What did {about} say about the mentor?"),
            ("trust_and_openness|{about} trusts the mentor, and {about} doesn't trust many people.",
             "consistency_and_reliability|The mentor always turned up when they said they would, which matters to a child like {about}.",
             "feeling_heard|{about} says the mentor listens properly and doesn't judge.",
             "power_balanced_partnership|{about} liked that they got to choose what to do, it wasn't another adult in charge.",
             "matching_by_interests|They were well matched, they're both mad about {art}.",
             "-|Thursday became the best day of the week in our house.")),
        "change": (
            ("What changes have you noticed at home?",
             "Has anything changed for {about}?"),
            ("confidence_gained|{about} is more confident now, will answer the phone, will talk to the neighbours.",
             "self_worth+arts_activity|The exhibition was huge, I've never seen {about} so proud.",
             "arts_activity|{about} does {art} at home now too, it's become their thing.",
             "expressing_feelings_through_art|Some of what {about} made was clearly about their feelings, about their birth family.",
             "-|It's not all been plain sailing, there have been bad weeks.",
             "trying_new_things|{about} tried things I never thought they would, like going on the train on their own.")),
        "school": (
            ("What about school?",
             "Has school changed at all?"),
            ("attendance|Getting {about} into school used to be a battle every morning, and now it mostly isn't.",
             "attendance|Attendance was under sixty per cent last year and it's a lot better now.",
             "exclusion_and_behaviour|We used to get a phone call from school nearly every week, and they've stopped.",
             "engagement_in_learning|{about} sits down and does homework now without me nagging.",
             "-|The school has been good, to be fair.")),
        "feelings": (
            ("How does {about} manage when things are difficult?",
             "What about {about}'s moods and feelings?"),
            ("managing_emotions|There used to be a lot of kicking off, doors slammed, that kind of thing.",
             "managing_emotions+anxiety_and_calm|Now {about} will take themselves off and calm down, and come back and talk.",
             "anxiety_and_calm|The anxiety is still there, but it doesn't run the house any more.",
             "-|I wasn't sure the mentoring would help with that side, if I'm honest.",
             "managing_emotions|{about} said the mentor showed them ways to cope when they get upset.")),
        "network": (
            ("How well did the mentor work with everyone else around {about}?",
             "How was communication between you and the mentoring project?"),
            ("joined_up_working|The mentor rang me after every session, just a quick word, and that helped.",
             "joined_up_working|They came to the PEP meeting and said things that nobody else had noticed.",
             "joined_up_working|I do think the social worker could have been kept more in the loop.",
             "council_as_parent+joined_up_working|The council is meant to be {about}'s parent, and this felt like the council doing its job.")),
        "ending": (
            ("What happened when the mentoring came to an end?",
             "How did {about} cope with the ending?"),
            ("planned_endings|They talked about the ending for weeks so {about} was ready for it.",
             "planned_endings|The last session was lovely, they gave {about} a folder of all the work.",
             "abrupt_endings|{about} had a mentor before who just disappeared, and it took months to get over.",
             "transitions|{about} moves up to college next year, so the timing was right.",
             "-|I'd recommend it to any carer.")),
    },
    "social_worker": {
        "start": (
            ("Can you describe your role and how you came across the mentoring?",
             "How did {about} come to be referred?"),
            ("-|I'm {about}'s allocated social worker and have been for about two years.",
             "joined_up_working|I made the referral through the Virtual School after we talked about it at the PEP.",
             "-|We'd tried a few things before, and none of them had really stuck.",
             "joined_up_working|The referral process was quick, which is not always the case.",
             "-|I was a bit sceptical, I'll be honest.")),
        "relationship": (
            ("What did you see of {about}'s relationship with the mentor?",
             "What made the relationship work, from where you sit?"),
            ("consistency_and_reliability|The consistency was the thing, the mentor never let {about} down.",
             "trust_and_openness|{about} trusts very few adults, and the mentor became one of them.",
             "power_balanced_partnership|The mentor wasn't a professional with an agenda, and {about} could tell.",
             "matching_by_interests|The match was spot on, they shared an interest from day one.",
             "feeling_heard|{about} told me the mentor was the only adult who really listened.",
             "-|I only saw them together once, at the celebration event.")),
        "change": (
            ("What changes have you seen?",
             "Has the mentoring made a difference, do you think?"),
            ("confidence_gained|{about} is far more confident in meetings now, and will speak for themselves.",
             "managing_emotions|There have been fewer incidents at the placement, and {about} seems to cope better.",
             "attendance|School attendance has improved over the year, according to the PEP.",
             "self_worth|{about} talks about themselves differently, less \u2018I\u2019m rubbish at everything\u2019.",
             "-|It\u2019s hard to pull apart what\u2019s the mentoring and what\u2019s the placement being stable.",
             "transitions|The placement move in the spring could have derailed things, but the mentor stuck with it.")),
        "school": (
            ("What about education? How has school gone for {about}?",
             "Has the mentoring had any effect on {about}'s education?"),
            ("attendance|{about} was refusing school for most of Year 9, and now goes in most days.",
             "exclusion_and_behaviour|There was a real risk of permanent exclusion last year, and that has gone away.",
             "engagement_in_learning|The designated teacher says {about} is catching up on the work they missed.",
             "joined_up_working|The PEP targets are finally things {about} actually cares about.",
             "-|Education has always been the thing that slipped when the placement was wobbly.",
             "arts_activity|The {art} gave {about} something to talk about at school that wasn\u2019t about being in care.")),
        "voice": (
            ("How have {about}'s views shaped the plans for them?",
             "Do you think {about}'s voice is heard in decisions?"),
            ("voice_in_decisions+confidence_gained|{about}\u2019s views are much clearer in the care plan now, because {about} can say what they want.",
             "voice_in_decisions|At the last review {about} chaired part of the meeting, which was a first.",
             "feeling_heard|I think being listened to by the mentor made {about} expect to be listened to by us.",
             "voice_in_decisions|We should be asking children what they want far more than we do.")),
        "network": (
            ("How well did the agencies work together?",
             "What was communication like between you, the school and the mentor?"),
            ("joined_up_working|The Virtual School kept everyone joined up, which made my job easier.",
             "joined_up_working|Communication with the mentoring organisation was good, I got a short update every month.",
             "council_as_parent|As corporate parents we have to offer this kind of thing, not just the statutory minimum.",
             "joined_up_working|Funding came from Pupil Premium Plus, so the designated teacher had to agree it.",
             "-|Caseloads being what they are, I couldn\u2019t have given {about} that time myself.")),
        "stigma": (
            ("Does the care system get in the way, in your experience?",
             "How does being in care affect how {about} is seen?"),
            ("care_stigma|Young people in care are used to being labelled, a case, a file, a number.",
             "care_stigma|{about} hates being taken out of class for meetings, because everyone knows why.",
             "identity_and_belonging+care_stigma|The mentoring gave {about} something that was theirs, not the care system\u2019s.",
             "identity_and_belonging|{about} is starting to have a sense of who they are outside of being in care.")),
        "ending": (
            ("What happened at the end of the mentoring?",
             "How was the ending handled?"),
            ("planned_endings|The ending was planned well, with a proper last session and a celebration.",
             "abrupt_endings|I\u2019ve seen other mentoring just stop without warning, and the damage that does.",
             "transitions|With {about} moving on to college, the mentor helped think through the transition.",
             "-|I\u2019d refer another young person tomorrow.")),
    },
    "vsh": {
        "start": (
            ("Can you tell me about your role and the mentoring programme?",),
            ("-|I'm the Virtual School Head, so I'm responsible for the education of every child the council looks after.",
             "-|We have around four hundred children in care of school age at any one time.",
             "joined_up_working|We fund the mentoring through Pupil Premium Plus, and referrals come through the PEP.",
             "-|The programme has been running for three years now.")),
        "why": (
            ("Why mentoring, rather than another intervention?",),
            ("trust_and_openness|What our children lack most is a trusted adult who is there because they want to be.",
             "consistency_and_reliability|Too many adults in their lives have been temporary, so reliability is the intervention.",
             "-|Tuition and the rest have their place, but they don't touch the underlying issues.",
             "matching_by_interests|Matching on interests means the relationship starts from something shared.")),
        "parent": (
            ("You've talked about corporate parenting. What does it mean here?",),
            ("council_as_parent|As a council we are their parent, and a good parent finds their child someone like this.",
             "council_as_parent+careers_and_work|We asked council staff to volunteer as mentors, because corporate parenting is everybody's job.",
             "council_as_parent|Councillors have really got behind it as corporate parents.",
             "careers_and_work|Staff mentors open up the world of work, they show young people what jobs exist.")),
        "partnership": (
            ("What makes a good mentoring relationship, in your view?",),
            ("power_balanced_partnership+voice_in_decisions|The best relationships are a partnership, the young person has a real say.",
             "power_balanced_partnership|It mustn't feel like another professional doing things to them, it has to be with them.",
             "power_balanced_partnership|Our mentees choose what they do in the sessions, that's non-negotiable.",
             "feeling_heard|Being listened to is something many of our children have rarely experienced.")),
        "voice": (
            ("How do young people's views shape the programme?",),
            ("voice_in_decisions|The young people sit on the steering group and have a say in how it runs.",
             "voice_in_decisions|We changed the referral form because the children told us it felt like a police report.",
             "voice_in_decisions|Pupil voice has to be more than a box on the PEP.")),
        "network": (
            ("How does the mentoring fit with schools and social care?",),
            ("joined_up_working|Designated teachers are key, they know the child and they hold the PEP together.",
             "joined_up_working|Communication with social workers is the hardest part, given turnover and caseloads.",
             "joined_up_working|We hold a termly meeting of mentors, designated teachers and the virtual school team.",
             "-|Nobody can do this on their own.")),
        "outcomes": (
            ("What differences have you seen?",),
            ("attendance|Attendance for mentored children has gone up, though the numbers are small.",
             "exclusion_and_behaviour|We've had far fewer suspensions among mentees than we'd have expected.",
             "confidence_gained|Schools tell us the young people are more confident, more willing to have a go.",
             "engagement_in_learning|Several have re-engaged with learning after long periods out of school.",
             "-|I'm careful not to claim too much, because these are small numbers and there's no comparison group yet.")),
        "mentors": (
            ("What do the mentors need from you?",),
            ("training_and_supervision+time_and_workload|Good training and regular supervision, without those we'd be setting people up to fail.",
             "time_and_workload|Managers have to release staff, otherwise the sessions are the first thing to go when it's busy.",
             "training_and_supervision|We run peer support for mentors each half term.")),
        "ending": (
            ("How do you manage endings?",),
            ("planned_endings|Endings are planned from the very first session, so nobody is surprised.",
             "abrupt_endings+consistency_and_reliability|A sudden ending repeats exactly the pattern we are trying to break.",
             "transitions|Transitions, especially into Year 7 and into college, are when we see the most need.")),
        "future": (
            ("Where next for the programme?",),
            ("future_plans|I want every young person to leave us with a plan, college, an apprenticeship, a job.",
             "-|We're looking to extend it to care leavers up to twenty-five.",
             "-|And we need a proper evaluation, which is partly why we're talking today.")),
    },
}

# More sentences for the adults' topics, so their interviews reach a realistic length.
EXTRA: dict[str, dict[str, tuple[str, ...]]] = {
    "mentor": {
        "start": ("-|My own childhood wasn't easy, and I suppose I wanted to give something back.",
                  "training_and_supervision|We had a session on safeguarding and on what to do if a young person tells you something.",
                  "-|I remember the first meeting really clearly, because {about} wouldn't look at me at all."),
        "match": ("matching_by_interests|On paper we didn't have much in common apart from {art}, but that was enough to start.",
                  "-|I was told {about} had been through a lot of placements, and not much more than that.",
                  "matching_by_interests|The coordinator asked me loads of questions about my hobbies before pairing us."),
        "relationship": ("trust_and_openness|Trust was earned slowly, a bit more each week.",
                         "consistency_and_reliability|I sent a text the day before every session, so {about} always knew I was coming.",
                         "power_balanced_partnership|{about} set the agenda, and I think that was the first time an adult had let that happen.",
                         "-|There were weeks when {about} didn't want to talk at all, and we just got on with the work."),
        "creative": ("arts_activity|We borrowed equipment from the project and {about} took it home between sessions.",
                     "expressing_feelings_through_art|There was one piece about a house with no door, and I didn't ask, I just let it be.",
                     "arts_activity|The project ran a sharing event where all the young people showed what they'd made."),
        "activities": ("shared_activities|We went to a museum in the city and {about} talked the whole way round.",
                       "trying_new_things|{about} had never eaten in a restaurant with a menu before, so we practised ordering.",
                       "shared_activities|Cooking together was a good way to talk without it feeling like talking."),
        "change": ("confidence_gained|At the start {about} wouldn't speak to the receptionist, by the end they were chatting to everyone.",
                   "-|Some weeks it felt like we'd gone backwards, and then the next week there'd be a jump.",
                   "trying_new_things|{about} agreed to go on a residential trip, which would have been unthinkable a year ago."),
        "school": ("attendance|{about} told me they'd been in every day for a fortnight, and was clearly proud of it.",
                   "engagement_in_learning|We read through a GCSE text together once, just because {about} asked.",
                   "-|I tried not to become another adult going on about school."),
        "careers": ("careers_and_work|He asked really good questions about what people earn and how they got their jobs.",
                    "future_plans|We looked at college courses online together, and he's applied for one.",
                    "careers_and_work|Seeing a real workplace made it feel possible for him, not just something other people do."),
        "support": ("training_and_supervision|The training on endings was especially useful, I used it a lot.",
                    "joined_up_working|I would have liked a three-way meeting with the carer earlier on.",
                    "-|My partner got used to hearing about it, without names of course."),
        "time": ("time_and_workload|When work got busy the mentoring was the one thing I refused to move.",
                 "time_and_workload|I'd say to the council, if you want staff to do this, give them proper release time."),
        "ending": ("planned_endings|We wrote each other letters for the last session, which I still have.",
                   "transitions|We made sure {about} had a plan for who to talk to after the sessions finished.",
                   "-|I think about {about} a lot, and I hope they're doing well."),
    },
    "carer": {
        "start": ("-|I've been fostering for nine years, and {about} has been with us for three of them.",
                  "joined_up_working|The designated teacher at school rang me to explain what it would involve.",
                  "-|We talked it through at the kitchen table and {about} said they'd give it a go.",
                  "anxiety_and_calm|I was worried it would be one more thing that didn't work out for {about}."),
        "relationship": ("trust_and_openness|{about} started telling the mentor things before telling me, and I was fine with that.",
                         "consistency_and_reliability|In all those months the mentor didn't cancel once, not once.",
                         "-|I'd hear them laughing in the car when the mentor dropped {about} back.",
                         "feeling_heard|It mattered to {about} that someone outside the house was interested in them."),
        "change": ("confidence_gained|{about} did a reading at the celebration event, in front of about forty people.",
                   "arts_activity|Our hallway is full of {about}'s work now, I've had it framed.",
                   "self_worth|I heard {about} tell a friend on the phone that they're good at {art}, and I nearly cried.",
                   "-|Other people have noticed too, my sister said {about} seems like a different child.",
                   "identity_and_belonging|{about} talks about the project group as if it's a family, it gave them a place to belong."),
        "school": ("engagement_in_learning|The reports from school have been the best we've had.",
                   "attendance|There are still days when {about} won't go in, but they're rare now.",
                   "-|Parents' evening was the first one where I didn't dread what they'd say."),
        "feelings": ("anxiety_and_calm|Bedtimes used to be awful with the worrying, and now {about} mostly settles.",
                     "managing_emotions|The other day something went wrong and {about} said, I need five minutes, and went upstairs.",
                     "-|We've still got the odd bad day, every family does."),
        "network": ("joined_up_working|The mentor, the school and I had a proper three-way conversation, which doesn't usually happen.",
                    "joined_up_working|When the social worker changed, the mentor was the one who kept things steady.",
                    "voice_in_decisions|At the last review they actually asked {about} what they wanted, and wrote it down."),
        "ending": ("planned_endings|{about} counted down the last few sessions on the calendar.",
                   "-|We still see the mentor's work on the fridge every day.",
                   "transitions|With a move to college coming, I was glad the ending wasn't at the same time."),
    },
    "social_worker": {
        "start": ("-|I've been qualified for six years, and most of that time in the children in care team.",
                  "joined_up_working|The designated teacher and I agreed the referral in about ten minutes, which tells you something.",
                  "-|My caseload is around twenty young people, which is a lot to keep in your head."),
        "relationship": ("trust_and_openness|{about} told me things in a review that I think they'd first said to the mentor.",
                         "consistency_and_reliability|In {about}'s life, an adult who keeps turning up is rare.",
                         "power_balanced_partnership|{about} decided what they did together, and the mentor respected that."),
        "change": ("confidence_gained|{about} rang me themselves last month to ask about something, which has never happened.",
                   "exclusion_and_behaviour|The school has stopped ringing the placement about behaviour.",
                   "-|I wouldn't say everything's turned around, but the direction is right.",
                   "engagement_in_learning|{about} is talking about exams as if they matter, which is new."),
        "voice": ("voice_in_decisions|We rewrote the pathway plan with {about} in the room, using their words.",
                  "feeling_heard|{about} said to me, you actually listen now, and I took that as a compliment to the mentor."),
        "network": ("joined_up_working|The PEP meetings became more useful because the mentor could say what was really going on.",
                    "joined_up_working|Information sharing could be better, I once found out about a session change from the carer.",
                    "council_as_parent|If we're honest about being corporate parents, we should be doing this for every child."),
        "stigma": ("care_stigma|{about} once said, I'm sick of being the kid everyone has meetings about.",
                   "identity_and_belonging|The project group was somewhere {about} fitted in without having to explain."),
        "ending": ("planned_endings|We marked the ending in the care plan, so it didn't get lost.",
                   "transitions|{about}'s next big step is college, and the mentor helped make that feel possible.",
                   "-|I'd like to see it offered earlier, before things reach crisis."),
    },
    "vsh": {
        "start": ("-|My background is as a secondary head, so I came to this with a school's eye.",
                  "joined_up_working|Every referral is discussed with the designated teacher and the social worker first.",
                  "-|We started small, with twelve young people in the first year."),
        "why": ("trust_and_openness|If a child can trust one adult, they can start to trust school again.",
                "-|We looked at the research, and relationship quality came up again and again.",
                "consistency_and_reliability|We ask mentors for a year's commitment, because a short relationship can do harm."),
        "parent": ("council_as_parent|I ask colleagues, would this be good enough for my own child, and that's the test.",
                   "council_as_parent|Corporate parenting can feel abstract, and mentoring makes it real and personal.",
                   "-|Not every department was keen at first, but it's changed."),
        "partnership": ("power_balanced_partnership|Young people tell us the mentor is on their side, not there to manage them.",
                        "trust_and_openness|When the power is shared, trust follows.",
                        "power_balanced_partnership|We tell mentors, you're a partner, not a teacher or a social worker."),
        "voice": ("voice_in_decisions|The young people helped us write the mentor job description.",
                  "feeling_heard|Children tell us being heard is what they remember most."),
        "network": ("joined_up_working|We built a simple monthly update so that everyone around the child knows what is happening.",
                    "joined_up_working|Mentors are invited to PEP meetings when the young person wants them there.",
                    "-|Joining it all up takes time that nobody budgets for."),
        "outcomes": ("engagement_in_learning|Two of last year's mentees sat GCSEs that nobody thought they would sit.",
                     "self_worth|The celebration events do a lot for young people's sense that they matter.",
                     "future_plans|More of our mentees have a plan for post-16 than in previous years."),
        "mentors": ("training_and_supervision|Supervision is where mentors bring the hard stuff, and it has to be there.",
                    "time_and_workload|We negotiated two hours a fortnight of protected time with every directorate.",
                    "-|Mentors stay with us, which tells me the support is working."),
        "ending": ("planned_endings|Every match has a planned ending, with a celebration and something to keep.",
                   "abrupt_endings|When a placement breaks down and the child moves away, we try hard to keep the match going.",
                   "transitions|We now start mentoring in Year 6 for some children, to carry them over the move to secondary."),
        "future": ("future_plans|Some of our mentees are now talking about university, which is still rare for children in care.",
                   "careers_and_work|We want every mentee to have some work experience through the council.",
                   "-|I'm hopeful, but I'm also realistic about what one relationship can do."),
    },
    "mentee": {},
}
for _role, _topics in EXTRA.items():
    for _topic, _more in _topics.items():
        _questions, _sentences = BANK[_role][_topic]
        BANK[_role][_topic] = (_questions, _sentences + _more)

FOLLOW_UPS = ("Can you say a bit more about that?", "What was that like?", "Why do you think that was?",
              "Could you give me an example?", "Mm. And then?", "That's really interesting. Go on.")
CLOSING_Q = "Is there anything else you'd like to say that we haven't talked about?"
CLOSING_A = {
    "mentee": ("-|No, I think that's everything.", "-|Thanks for asking me about it."),
    "mentor": ("-|Only that I'd encourage anyone to do it.",
               "-|It's the most worthwhile thing I've done at work."),
    "carer": ("-|Just that I'm grateful.", "-|It made a real difference to our house."),
    "social_worker": ("-|Just that I hope the funding continues.",),
    "vsh": ("-|Only that we should listen to the young people themselves.", "-|They're the experts."),
}
THANKS = "Thank you so much for your time. That's the end of the interview."


def _mentee_ids() -> dict[str, list[str]]:
    """Mentored participant ids per demo site, in file order (to link mentee interviews to the demo data)."""
    import pandas as pd

    from cm_research.datasets import dataset_path

    out = {}
    for folder in sorted(dataset_path("demo").iterdir()):
        if (folder / "participants.csv").exists():
            p = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
            out[folder.name] = [i for i, g in zip(p["participant_id"], p["group"]) if g == "mentored"]
    return out


class _Writer:
    """Builds a transcript line by line and records the offsets of every coded sentence."""

    def __init__(self, spec: InterviewSpec, rng: random.Random):
        self.spec, self.rng = spec, rng
        self.text = ""
        self.codes: list[tuple[int, int, str]] = []  # (start, end, code) as Coder A would code them
        self.uncoded: list[tuple[int, int]] = []
        self.seconds = 0

    def line(self, text: str = "") -> None:
        self.text += text + "\n"

    def _label(self, who: str) -> str:
        s = self.spec
        if s.style == "qa":
            return "Q: " if who == "interviewer" else "A: "
        name = "Interviewer" if who == "interviewer" else s.pseudonym
        if s.style == "timestamps":
            h, rem = divmod(self.seconds, 3600)
            m, sec = divmod(rem, 60)
            return f"[{h:02d}:{m:02d}:{sec:02d}] {name}: "
        return f"{name}: "

    def turn(self, who: str, sentences: list[str]) -> None:
        """One turn; ``sentences`` are "code|text" for the participant, plain text for the interviewer."""
        self.text += self._label(who)
        for k, item in enumerate(sentences):
            code, sentence = item.split("|", 1) if who == "participant" else ("-", item)
            sentence = sentence.format(about=self.spec.about, art=self.spec.art)
            sentence = sentence[0].upper() + sentence[1:]
            if k:
                self.text += " "
            start = len(self.text)
            self.text += sentence
            if who == "participant":
                if code == "-":
                    self.uncoded.append((start, len(self.text)))
                for one in code.split("+") if code != "-" else ():
                    self.codes.append((start, len(self.text), one))
            self.seconds += 1 + len(sentence.split()) // 3
        self.text += "\n"
        if self.spec.style != "qa" and self.rng.random() < 0.5:
            self.text += "\n"  # some transcribers leave blank lines between turns


def _compose(spec: InterviewSpec, rng: random.Random, participant_id: str, seed: int) -> _Writer:
    w = _Writer(spec, rng)
    w.line(f"# {NOTICE.format(seed=seed)}")
    w.line(f"Pseudonym: {spec.pseudonym}")
    w.line(f"Role: {spec.role.replace('_', ' ')}")
    w.line(f"Site: {spec.site}")
    if participant_id:
        w.line(f"Participant ID: {participant_id}")
    w.line(f"Date: {spec.date}")
    w.line("Interviewer: Interviewer")
    w.line("Synthetic: yes")
    w.line("---")
    w.line()
    bank = BANK[spec.role]
    target = rng.randint(1300, 2300)
    remaining = {topic: list(bank[topic][1]) for topic in spec.topics}

    def take(topic: str, low: int, high: int) -> list[str]:
        """Some of the topic's unused sentences, kept in the order they were written."""
        pool = remaining[topic]
        chosen = set(rng.sample(range(len(pool)), min(len(pool), rng.randint(low, high))))
        remaining[topic] = [x for k, x in enumerate(pool) if k not in chosen]
        return [x for k, x in enumerate(pool) if k in chosen]

    for topic in spec.topics:  # first pass: every topic, in interview order
        questions = bank[topic][0]
        q = questions[0] if rng.random() < 0.6 else questions[-1]
        w.turn("interviewer", [q.format(about=spec.about, art=spec.art)])
        w.turn("participant", take(topic, 3, 5))
        if remaining[topic] and rng.random() < 0.5:
            w.turn("interviewer", [rng.choice(FOLLOW_UPS)])
            w.turn("participant", take(topic, 1, 2))
    while len(w.text.split()) < target and any(remaining.values()):  # then back to topics not exhausted
        topic = rng.choice([t for t in spec.topics if remaining[t]])
        question = bank[topic][0][-1].format(about=spec.about, art=spec.art)
        w.turn("interviewer", [f"Going back to something you said earlier. {question}" if rng.random() < 0.5
                               else rng.choice(FOLLOW_UPS)])
        w.turn("participant", take(topic, 1, 3))
    w.turn("interviewer", [CLOSING_Q])
    w.turn("participant", list(CLOSING_A[spec.role]))
    w.turn("interviewer", [THANKS])
    return w


def _coder_b(codes: list[tuple[int, int, str]], uncoded: list[tuple[int, int]], rng: random.Random,
             siblings: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    out = []
    for start, end, code in codes:
        u = rng.random()
        if u < 0.10:
            continue  # missed
        if u < 0.20 and len(siblings[code]) > 1:
            out.append((start, end, rng.choice([c for c in siblings[code] if c != code])))
            continue
        out.append((start, end, code))
    all_codes = sorted(siblings)
    for start, end in uncoded:
        if rng.random() < 0.05:
            out.append((start, end, rng.choice(all_codes)))
    return out


def _write_docx(path: Path, text: str) -> None:
    import docx  # python-docx

    document = docx.Document()
    for line in text.rstrip("\n").split("\n"):
        document.add_paragraph(line)
    document.save(str(path))


def write_transcripts(folder: str | Path = TRANSCRIPTS_DIR, seed: int = DEMO_SEED) -> Path:
    """Write the twelve synthetic interviews, SYNTHETIC.txt and the two-coder coding file into ``folder``."""
    from cm_research.qual.codebook import load_codebook

    folder = Path(folder)
    (folder / "coding").mkdir(parents=True, exist_ok=True)
    codebook = load_codebook()
    siblings = {c.name: [x.name for x in codebook.theme(c.theme).codes] for c in codebook.codes}
    ids = _mentee_ids()
    used: dict[str, int] = {}
    rows = []
    for spec in INTERVIEWS:
        rng = random.Random(seed * 100 + spec.number)
        pid = ""
        if spec.role == "mentee":
            site_ids = ids.get(spec.site.lower(), [])
            k = used.get(spec.site, 0)
            pid = site_ids[k] if k < len(site_ids) else ""
            used[spec.site] = k + 1
        w = _compose(spec, rng, pid, seed)
        if spec.fmt == "docx":
            path = folder / f"{spec.slug}.docx"
            _write_docx(path, w.text)
        elif spec.fmt == "cp1252":
            path = folder / f"{spec.slug}.txt"
            path.write_bytes(w.text.replace("\n", "\r\n").encode("cp1252"))
            # offsets count characters of the decoded text, where each newline is "\r\n"
            shift = _crlf_shift(w.text)
            w.codes = [(shift(s), shift(e), c) for s, e, c in w.codes]
            w.uncoded = [(shift(s), shift(e)) for s, e in w.uncoded]
        else:
            path = folder / f"{spec.slug}.txt"
            path.write_text(w.text, encoding="utf-8", newline="\n")
        decoded = w.text.replace("\n", "\r\n") if spec.fmt == "cp1252" else w.text
        for coder, codes in (("Coder A", w.codes),
                             ("Coder B", _coder_b(w.codes, w.uncoded, random.Random(seed + spec.number), siblings))):
            for start, end, code in codes:
                rows.append({"transcript": path.name, "start": start, "end": end, "code": code, "coder": coder,
                             "quote": decoded[start:end]})
    with open(folder / CODING_FILE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["transcript", "start", "end", "code", "coder", "quote"])
        writer.writeheader()
        writer.writerows(rows)
    (folder / "SYNTHETIC.txt").write_text(
        f"SYNTHETIC DATA - generated by cm_research.datasets.transcripts (seed {seed}).\n"
        "Every interview here was invented for the cm_research demo. No real person is described;\n"
        "names are pseudonyms and the two 'coders' in coding/ are simulated.\n", encoding="utf-8")
    return folder


def _crlf_shift(text: str):
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def shift(offset: int) -> int:
        import bisect

        return offset + bisect.bisect_left(newlines, offset)

    return shift


def transcripts_dir() -> Path:
    """The bundled synthetic transcripts folder, regenerated from its seed if files are missing."""
    expected = [TRANSCRIPTS_DIR / f"{s.slug}.{'docx' if s.fmt == 'docx' else 'txt'}" for s in INTERVIEWS]
    if not all(p.exists() for p in expected) or not (TRANSCRIPTS_DIR / CODING_FILE).exists():
        write_transcripts(TRANSCRIPTS_DIR)
    return TRANSCRIPTS_DIR


def demo_coding_file() -> Path:
    """The synthetic two-coder coding CSV of the demo transcripts."""
    return transcripts_dir() / CODING_FILE
