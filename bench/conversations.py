"""The conversations each benchmarked bot is sent: what its users would really say to it."""

# This assistant: FAQ questions, and clinic, place and hours questions that run custom actions
# (the clinic finder reads the directory and computes opening hours for every answer).
CLINIC_SCRIPTS: list[list[str]] = [
    ["hi there", "what is fibromyalgia?", "where are your clinics?", "are you open on saturday?", "thanks, bye"],
    [
        "hello",
        "how fast does ketamine work?",
        "what are the side effects?",
        "is there one in Irvine?",
        "when does it close today",
        "thank you",
    ],
    ["hey", "does insurance cover ketamine infusions?", "which clinic is closest to 92660?", "are you open now?"],
    [
        "hi",
        "how does ketamine actually work for pain?",
        "how long do the effects last",
        "ok and where are your clinics",
        "what are your hours tomorrow",
        "bye",
    ],
    [
        "good morning",
        "what are the symptoms of fibro",
        "is physical therapy helpful?",
        "phone number of the Orange office",
    ],
]

# Rasa's stock `rasa init` bot: its greet / mood / bot-challenge dialogue.
STOCK_SCRIPTS: list[list[str]] = [
    ["hi", "I am sad", "yes", "bye"],
    ["hello", "great", "are you a bot?", "goodbye"],
    ["hey", "very unhappy", "no", "see you later"],
    ["good morning", "I am feeling very good", "am I talking to a human?", "bye"],
    ["hey there", "extremely sad", "of course", "goodnight"],
]
