@mod @mod_assign @assignfeedback @assignfeedback_lablink @javascript
Feature: A teacher collects workspace submissions into their workspace and returns feedback
  In order to grade in JupyterHub and give students their feedback back
  As a teacher
  I need to collect every submission into a folder of my workspace, and return the feedback folders from there

  Background:
    Given the following "users" exist:
      | username | firstname | lastname | email                |
      | teacher1 | Teacher   | 1        | teacher1@example.com |
      | student1 | Student   | 1        | student1@example.com |
      | student2 | Student   | 2        | student2@example.com |
    And the following "courses" exist:
      | fullname | shortname |
      | Course 1 | C1        |
    And the following "course enrolments" exist:
      | user     | course | role           |
      | teacher1 | C1     | editingteacher |
      | student1 | C1     | student        |
      | student2 | C1     | student        |
    And a lablink file server holds these files:
      | home     | path          | content  |
      | teacher1 | readme.txt    | mine     |
      | student1 | work/lab.py   | print(1) |
      | student2 | work/lab.py   | print(2) |
    And the following "activities" exist:
      | activity | course | name  | assignsubmission_lablink_enabled | assignsubmission_onlinetext_enabled | assignfeedback_lablink_enabled | assignfeedback_comments_enabled | submissiondrafts |
      | assign   | C1     | Lab 1 | 1                                | 0                                   | 1                              | 0                               | 0                |
    And the following "mod_assign > submissions" exist:
      | assign | user     | lablink_path |
      | Lab 1  | student1 | /work        |
      | Lab 1  | student2 | /work        |

  Scenario: Collect, return feedback, and the student gets it into their workspace
    Given I am on the "Lab 1" "assign activity" page logged in as "teacher1"
    And I navigate to "Submissions" in current page administration
    When I choose the "Collect submissions into my workspace" item in the "Actions" action menu
    And I set the field "Collect into" to "/grading"
    And I set the field "Folder names" to "Student ID (as JupyterHub names them)"
    And I press "Collect"
    Then I should see "Queued"
    When I run all adhoc tasks
    And I reload the page
    Then I should see "Done"
    And I should see "Collected" in the "Student 1" "table_row"
    And I should see "Collected" in the "Student 2" "table_row"
    And the lablink home "teacher1" should hold "grading/student1/lab.py"
    And the lablink home "teacher1" should hold "grading/lablink-manifest.json"
    Given the lablink home "teacher1" gets "grading/student1/feedback/notes.md" containing "Well done"
    When I click on "Return feedback from my workspace" "link"
    And the field "Collect folder" matches value "/grading"
    And I press "Return feedback"
    And I run all adhoc tasks
    And I reload the page
    Then I should see "Returned" in the "Student 1" "table_row"
    And I should see "No feedback" in the "Student 2" "table_row"
    When I am on the "Lab 1" "assign activity" page logged in as "student1"
    Then I should see "feedback.zip"
    And I should see "notes.md"
    When I click on "Get feedback into my workspace" "link"
    And I set the field "Copy into" to "/"
    And I press "Copy here"
    Then I should see "Your feedback is in /feedback."
    And the lablink home "student1" should hold "feedback/notes.md"

  Scenario: A bulk collect of the selected students
    Given I am on the "Lab 1" "assign activity" page logged in as "teacher1"
    And I navigate to "Submissions" in current page administration
    When I set the field "selectall" to "1"
    And I click on "Collect into my workspace" "button" in the "sticky-footer" "region"
    And I click on "Save changes" "button" in the "Collect into my workspace" "dialogue"
    Then I should see "Only the 2 selected students are collected."
    When I set the field "Collect into" to "/picked"
    And I press "Collect"
    And I run all adhoc tasks
    And I reload the page
    Then I should see "Collected" in the "Student 1" "table_row"
    And the lablink home "teacher1" should hold "picked/lablink-manifest.json"

  Scenario: A second collect is refused while one is queued
    Given I am on the "Lab 1" "assign activity" page logged in as "teacher1"
    And I navigate to "Submissions" in current page administration
    And I choose the "Collect submissions into my workspace" item in the "Actions" action menu
    And I set the field "Collect into" to "/grading"
    And I press "Collect"
    When I am on the "Lab 1" "assign activity" page
    And I navigate to "Submissions" in current page administration
    And I choose the "Collect submissions into my workspace" item in the "Actions" action menu
    And I set the field "Collect into" to "/again"
    And I press "Collect"
    Then I should see "Another collect or return of this assignment is queued or running"
