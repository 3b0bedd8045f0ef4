"""Builds a large nbgrader gradebook through nbgrader's own API, for the kill -9 test and
`cargo xtask bench grading`: one assignment `big` (one notebook, two auto-graded cells, max
10) and N students `s0000`… with LMS ids `lms-s0000`…, each with a submission and a score that
differs from student to student.

    python nbgrader_many.py <gradebook.db> <N>

Prints one JSON line: {"students": N, "seconds": …}.
"""

import json
import sys
import time
import warnings
from datetime import datetime

from nbgrader.api import Gradebook


def main(db_path, n):
    # add_submission trips SQLAlchemy autoflush warnings that change nothing here.
    warnings.simplefilter("ignore")
    started = time.monotonic()
    with Gradebook(f"sqlite:///{db_path}", course_id="big-course") as gb:
        gb.add_assignment("big", duedate=datetime(2026, 11, 1, 12, 0, 0))
        gb.add_notebook("nb", "big")
        gb.add_grade_cell("q1", "nb", "big", max_score=4, cell_type="code")
        gb.add_grade_cell("q2", "nb", "big", max_score=6, cell_type="code")
        for i in range(n):
            student = f"s{i:04d}"
            gb.add_student(student, first_name=f"Student {i}", lms_user_id=f"lms-{student}")
            gb.add_submission("big", student, timestamp=datetime(2026, 10, 31, 12, 0, 0))
            for cell, score in (("q1", i % 5), ("q2", (i // 5) % 7)):
                g = gb.find_grade(cell, "nb", "big", student)
                g.auto_score = score
                g.needs_manual_grade = False
            gb.db.commit()
    print(json.dumps({"students": n, "seconds": round(time.monotonic() - started, 2)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
