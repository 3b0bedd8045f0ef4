"""The sample nbgrader course of `cargo xtask demo` and of the grades panel's end-to-end tests:
a real gradebook written through nbgrader's own API, its own CSV export, and the LMS roster
that goes with it.

    python demo_course.py <course folder> <lms members.json>

Writes into the course folder `gradebook.db` (where nbgrader keeps it, so the instructor's
formgrader shows the same course), `nbgrader_config.py` and `expected.csv` (nbgrader's
CsvExportPlugin: what the panel must show); writes the LMS members (LTI NRPS shape) to the
second path. Scores are fixed, not random, so a test can name them.

The course shows what a sync meets: 20 students with names and LMS ids, three assignments
with due dates, late penalties, a manual grade still pending, a missing submission, one
student without an LMS id (`quinn`) and one the LMS does not know (`theo`, not enrolled).
"""

import json
import sys
import warnings
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

COURSE = "intro-python"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

# (nbgrader id, first name, last name); LMS ids are "lms-<id>".
STUDENTS = [
    ("ada", "Ada", "Lovelace"), ("ben", "Ben", "Okafor"), ("chloe", "Chloé", "Martin"),
    ("dmitri", "Dmitri", "Volkov"), ("elena", "Elena", "García"), ("farid", "Farid", "Haddad"),
    ("grace", "Grace", "Hopper"), ("hiro", "Hiro", "Tanaka"), ("ines", "Inês", "Costa"),
    ("jonas", "Jonas", "Berg"), ("kofi", "Kofi", "Mensah"), ("lena", "Lena", "Schmidt"),
    ("mateo", "Mateo", "Rossi"), ("nadia", "Nadia", "Benali"), ("oskar", "Oskar", "Nowak"),
    ("priya", "Priya", "Sharma"), ("quinn", "Quinn", "Murphy"), ("rosa", "Rosa", "Parks"),
    ("sami", "Sami", "Korhonen"), ("theo", "Theo", "Dubois"),
]
NO_LMS_ID = {"quinn"}
NOT_ENROLLED = {"theo"}

DUE = datetime(2026, 10, 5, 23, 59)
# name -> (due, [(notebook, [(cell, max)])])
ASSIGNMENTS = {
    "week1": (DUE, [("variables", [("q1", 2), ("q2", 3), ("q3", 5)])]),
    "week2": (DUE + timedelta(days=7), [("loops", [("q1", 4), ("q2", 6)]), ("bonus", [("b1", 2)])]),
    "week3": (DUE + timedelta(days=14), [("functions", [("q1", 5), ("essay", 10)])]),
}


def score(i, cell_index, maximum):
    """A fixed spread of scores: most good, some weak, a few full marks."""
    return round(min(maximum, maximum * (((i * 7 + cell_index * 3) % 11) + 3) / 13) * 2) / 2


def main(course_dir, members_path):
    warnings.simplefilter("ignore")  # SQLAlchemy autoflush warnings of add_submission
    course = Path(course_dir)
    course.mkdir(parents=True, exist_ok=True)
    db = course / "gradebook.db"
    if db.exists():
        db.unlink()
    with Gradebook(f"sqlite:///{db}", course_id=COURSE) as gb:
        for sid, first, last in STUDENTS:
            lms = None if sid in NO_LMS_ID else f"lms-{sid}"
            gb.add_student(sid, first_name=first, last_name=last, email=f"{sid}@example.org", lms_user_id=lms)
        for name, (due, notebooks) in ASSIGNMENTS.items():
            gb.add_assignment(name, duedate=due)
            for nb, cells in notebooks:
                gb.add_notebook(nb, name)
                for cell, maximum in cells:
                    kind = "markdown" if cell == "essay" else "code"
                    gb.add_grade_cell(cell, nb, name, max_score=maximum, cell_type=kind)
        for i, (sid, _, _) in enumerate(STUDENTS):
            for a, (name, (due, notebooks)) in enumerate(ASSIGNMENTS.items()):
                if name == "week3" and i % 6 == 5:
                    continue  # not handed in (yet)
                late = (i + a) % 7 == 3
                gb.add_submission(name, sid, timestamp=due + (timedelta(hours=30) if late else -timedelta(hours=2)))
                for n, (nb, cells) in enumerate(notebooks):
                    for c, (cell, maximum) in enumerate(cells):
                        g = gb.find_grade(cell, nb, name, sid)
                        if cell == "essay":
                            # Hand-graded; one essay is still waiting for its grade.
                            g.manual_score = None if sid == "mateo" else score(i, 9, maximum)
                        elif name == "week2" and nb == "bonus" and i % 3:
                            g.auto_score = 0
                        else:
                            g.auto_score = score(i + a, c + n, maximum)
                        g.needs_manual_grade = g.auto_score is None and g.manual_score is None
                    if late:
                        gb.find_submission_notebook(nb, name, sid).late_submission_penalty = 1.0
                gb.db.commit()
        CsvExportPlugin(to=str(course / "expected.csv")).export(gb)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa\n"
        f"c.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
    )
    members = [{"user_id": "lms-instructor", "roles": [INSTRUCTOR], "name": "Ina Instructor",
                "email": "instructor@example.org"}]
    for sid, first, last in STUDENTS:
        if sid in NO_LMS_ID or sid in NOT_ENROLLED:
            continue
        members.append({"user_id": f"lms-{sid}", "roles": [LEARNER], "name": f"{first} {last}",
                        "given_name": first, "family_name": last, "email": f"{sid}@example.org"})
    Path(members_path).write_text(json.dumps(members, ensure_ascii=False, indent=1))
    maxima = {name: sum(m for _, cells in nbs for _, m in cells) for name, (_, nbs) in ASSIGNMENTS.items()}
    print(json.dumps({"course": COURSE, "students": len(STUDENTS), "assignments": maxima}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
