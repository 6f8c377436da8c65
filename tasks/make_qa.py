#!/usr/bin/env python3
"""Writes tasks/qa.jsonl: a reading-comprehension task written outside qstream's code, to check that a task file
qstream has never seen learns with the defaults. A short paragraph about a person and a question in, the answer
phrase out (three references). Seeded: `python3 tasks/make_qa.py > tasks/qa.jsonl` reproduces the file."""
import json, random, zlib

rng = random.Random(5)
names = ["maria", "john", "aiko", "omar", "lena", "pedro", "fatima", "igor", "chen", "sara", "tom", "nadia",
         "lucas", "amara", "felix", "ines"]
cities = ["lisbon", "oslo", "cairo", "lima", "osaka", "dublin", "nairobi", "quebec", "krakow", "porto",
          "hanoi", "bergen"]
jobs = ["nurse", "baker", "pilot", "teacher", "lawyer", "chef", "farmer", "painter", "engineer", "dentist"]
pets = ["a dog", "a cat", "two rabbits", "a parrot", "three fish", "a horse"]
hobbies = ["plays chess", "runs marathons", "grows tomatoes", "sings in a choir", "builds boats", "paints murals"]
fillers = ["the weather was mild that week.", "nobody remembers when this started.",
           "the neighbours say hello every morning.", "it was a quiet year in town."]

def item(i):
    n, c, j, p, h = rng.choice(names), rng.choice(cities), rng.choice(jobs), rng.choice(pets), rng.choice(hobbies)
    facts = [f"{n} lives in {c}.", f"{n} works as a {j}.", f"{n} has {p}.", f"{n} {h}."]
    rng.shuffle(facts)
    context = " ".join(facts[:3] + [rng.choice(fillers)])
    asked = rng.choice(facts[:3])  # any of the three facts shown, so the answer is not always first
    if asked.startswith(f"{n} lives"):
        q, refs = f"where does {n} live?", [f"{n} lives in {c}", f"in {c}", c]
    elif asked.startswith(f"{n} works"):
        q, refs = f"what does {n} do for a living?", [f"{n} works as a {j}", f"a {j}", f"{n} is a {j}"]
    elif asked.startswith(f"{n} has"):
        q, refs = f"what pet does {n} have?", [f"{n} has {p}", p, f"{n} owns {p}"]
    else:
        q, refs = f"what does {n} do in free time?", [f"{n} {h}", h, f"{n} {h} for fun"]
    # The split follows the reference set, so no eval reference set also occurs in training (held-out scores
    # measure answering new questions, not recalling answers seen in training).
    split = "eval" if zlib.crc32(json.dumps(refs).encode()) % 10 == 9 else "train"
    return {"id": f"qa-{i}", "prompt": f"{context} {q}", "references": refs, "split": split}

for i in range(1000):
    print(json.dumps(item(i)))
