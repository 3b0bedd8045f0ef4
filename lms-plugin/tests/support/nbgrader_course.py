"""A real nbgrader course for the collect contract tests, made with nbgrader's own API.

    python nbgrader_course.py build <course folder> <assignment>
        writes nbgrader_config.py and source/<assignment>/problem1.ipynb (a solution cell and
        an autograded test cell worth 2 points), then generates the assignment (release/ and
        the gradebook entry)
    python nbgrader_course.py student <course folder> <assignment> <out.ipynb> right|wrong
        writes a student's submitted notebook: the released one with the solution filled in
    python nbgrader_course.py grades <course folder> <assignment>
        prints JSON {student id: {"score", "max_score", "timestamp"}} from the gradebook
"""

import json
import os
import sys

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

COURSE_ID = "lablink-collect"

SOLUTION = """def squares(n):
    ### BEGIN SOLUTION
    return [i * i for i in range(1, n + 1)]
    ### END SOLUTION
"""

TEST = "assert squares(3) == [1, 4, 9]\nassert squares(0) == []\n"

ANSWERS = {
    "right": "def squares(n):\n    return [i * i for i in range(1, n + 1)]\n",
    "wrong": "def squares(n):\n    return list(range(n))\n",
}


def cell_meta(grade_id, solution, grade, points=None):
    meta = {"grade": grade, "solution": solution, "locked": not solution, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def api_for(root):
    config = Config()
    config.CourseDirectory.root = os.path.abspath(root)
    config.CourseDirectory.course_id = COURSE_ID
    return NbGraderAPI(config=config)


def build(root, assignment):
    os.makedirs(os.path.join(root, "source", assignment), exist_ok=True)
    with open(os.path.join(root, "nbgrader_config.py"), "w") as fh:
        fh.write(f'c = get_config()\nc.CourseDirectory.course_id = "{COURSE_ID}"\n')
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `squares(n)`: the squares of 1 to n."),
        nbformat.v4.new_code_cell(SOLUTION, metadata=cell_meta("squares", True, False)),
        nbformat.v4.new_code_cell(TEST, metadata=cell_meta("test_squares", False, True, 2)),
    ]
    nbformat.write(nb, os.path.join(root, "source", assignment, "problem1.ipynb"))
    result = api_for(root).generate_assignment(assignment)
    if not result["success"]:
        sys.exit("generate_assignment failed: " + str(result.get("error")) + "\n" + str(result.get("log")))


def student(root, assignment, out, answer):
    nb = nbformat.read(os.path.join(root, "release", assignment, "problem1.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = ANSWERS[answer]
    nbformat.write(nb, out)


def grades(root, assignment):
    out = {}
    with Gradebook("sqlite:///" + os.path.join(os.path.abspath(root), "gradebook.db"), course_id=COURSE_ID) as gb:
        for s in gb.students:
            try:
                sub = gb.find_submission(assignment, s.id)
            except MissingEntry:
                continue
            out[s.id] = {"score": sub.score, "max_score": sub.max_score,
                         "timestamp": sub.timestamp.strftime("%Y-%m-%d %H:%M:%S") if sub.timestamp else None}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"build": build, "student": student, "grades": grades}[command](*args)
