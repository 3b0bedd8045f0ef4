"""Builds a real nbgrader gradebook for lablink's grading tests, through nbgrader's own API,
then exports it with nbgrader's own CSV export plugin: that file is what the tests expect the
Rust reader to compute.

    python nbgrader_course.py <gradebook.db> <expected.csv>

The course covers what sync must get right: several assignments and notebooks, grade and task
cells, auto grades, a manual grade overriding an auto grade, extra credit, a late penalty, a
penalty larger than the score (floored at 0), ungraded cells, a missing submission, a student
with no LMS id, and an assignment nobody submitted.
"""

import sys
from datetime import datetime, timedelta

from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

DUE = datetime(2026, 10, 1, 12, 0, 0)


def grade(gb, cell, notebook, assignment, student, auto=None, manual=None, extra=None):
    g = gb.find_grade(cell, notebook, assignment, student)
    g.auto_score = auto
    g.manual_score = manual
    g.extra_credit = extra
    g.needs_manual_grade = auto is None and manual is None
    gb.db.commit()


def late(gb, notebook, assignment, student, penalty):
    sn = gb.find_submission_notebook(notebook, assignment, student)
    sn.late_submission_penalty = penalty
    gb.db.commit()


def main(db_path, csv_path):
    with Gradebook(f"sqlite:///{db_path}", course_id="intro-python") as gb:
        gb.add_student("alice", first_name="Alice", last_name="Liddell", email="alice@example.org", lms_user_id="lms-alice")
        gb.add_student("bob", first_name="Bob", last_name="Builder", lms_user_id="lms-bob")
        gb.add_student("carol", first_name="Carol", last_name="Danvers")  # no LMS id
        gb.add_student("dave", first_name="Dave", lms_user_id="lms-dave")
        gb.add_student("eve.o'neil", first_name="Eve", lms_user_id="lms-eve")

        # ps1: two notebooks, grade cells (code + manually graded markdown) and a task cell.
        gb.add_assignment("ps1", duedate=DUE)
        gb.add_notebook("problem1", "ps1")
        gb.add_grade_cell("q1", "problem1", "ps1", max_score=2, cell_type="code")
        gb.add_grade_cell("q2", "problem1", "ps1", max_score=3, cell_type="markdown")
        gb.add_task_cell("t1", "problem1", "ps1", max_score=5, cell_type="markdown")
        gb.add_notebook("problem2", "ps1")
        gb.add_grade_cell("q3", "problem2", "ps1", max_score=1.5, cell_type="code")

        # ps2: one notebook, fractional maxima.
        gb.add_assignment("ps2", duedate=DUE + timedelta(days=7))
        gb.add_notebook("lab", "ps2")
        gb.add_grade_cell("a", "lab", "ps2", max_score=0.25, cell_type="code")
        gb.add_grade_cell("b", "lab", "ps2", max_score=4, cell_type="code")

        # ps3: nobody submitted it.
        gb.add_assignment("ps3")
        gb.add_notebook("quiz", "ps3")
        gb.add_grade_cell("only", "quiz", "ps3", max_score=10, cell_type="code")

        on_time = DUE - timedelta(hours=1)
        gb.add_submission("ps1", "alice", timestamp=on_time)
        grade(gb, "q1", "problem1", "ps1", "alice", auto=2)
        grade(gb, "q2", "problem1", "ps1", "alice", auto=0, manual=2.5)  # manual overrides auto
        grade(gb, "t1", "problem1", "ps1", "alice", manual=4, extra=1)  # extra credit
        grade(gb, "q3", "problem2", "ps1", "alice", auto=1.5)

        gb.add_submission("ps1", "bob", timestamp=DUE + timedelta(days=2))  # late
        grade(gb, "q1", "problem1", "ps1", "bob", auto=1)
        grade(gb, "q2", "problem1", "ps1", "bob")  # not graded yet
        grade(gb, "t1", "problem1", "ps1", "bob", manual=5)
        grade(gb, "q3", "problem2", "ps1", "bob", auto=0, extra=0.5)
        late(gb, "problem1", "ps1", "bob", 1.0)
        late(gb, "problem2", "ps1", "bob", 0.25)

        gb.add_submission("ps1", "carol", timestamp=on_time)
        grade(gb, "q1", "problem1", "ps1", "carol", auto=2)
        grade(gb, "q2", "problem1", "ps1", "carol", manual=3)
        grade(gb, "t1", "problem1", "ps1", "carol", manual=5)
        grade(gb, "q3", "problem2", "ps1", "carol", auto=1.5)
        # dave never submitted ps1.

        gb.add_submission("ps1", "eve.o'neil", timestamp=DUE + timedelta(days=30))
        grade(gb, "q1", "problem1", "ps1", "eve.o'neil", auto=0.5)
        late(gb, "problem1", "ps1", "eve.o'neil", 10.0)  # larger than the score: floored at 0

        gb.add_submission("ps2", "alice", timestamp=DUE)
        grade(gb, "a", "lab", "ps2", "alice", auto=0.25)
        grade(gb, "b", "lab", "ps2", "alice", auto=3.75)
        gb.add_submission("ps2", "dave", timestamp=DUE)
        grade(gb, "a", "lab", "ps2", "dave", auto=0.1)
        grade(gb, "b", "lab", "ps2", "dave", manual=1.3, extra=0.2)

        CsvExportPlugin(to=csv_path).export(gb)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
