@mod @mod_assign @assignsubmission @assignsubmission_lablink @javascript
Feature: A student gets a copy of the source and submits a workspace folder
  In order to work on and hand in an assignment in JupyterHub
  As a student
  I need to copy the starting folder into my workspace and submit a folder of it

  Background:
    Given the following "users" exist:
      | username | firstname | lastname | email                |
      | teacher1 | Teacher   | 1        | teacher1@example.com |
      | student1 | Student   | 1        | student1@example.com |
    And the following "courses" exist:
      | fullname | shortname |
      | Course 1 | C1        |
    And the following "course enrolments" exist:
      | user     | course | role           |
      | teacher1 | C1     | editingteacher |
      | student1 | C1     | student        |
    And a lablink file server holds these files:
      | home     | path                       | content       |
      | admin    | course/lab1/notebook.ipynb | {"cells": []} |
      | student1 | keep.txt                   | mine          |
    # The generator runs as the admin, so the snapshot is taken from the admin's home.
    And the following "activities" exist:
      | activity | course | name  | assignsubmission_lablink_enabled | assignsubmission_lablink_sourcepath | assignsubmission_onlinetext_enabled | submissiondrafts |
      | assign   | C1     | Lab 1 | 1                                | /course/lab1                        | 0                                   | 0                |

  Scenario: Get a copy, then submit it
    Given I am on the "Lab 1" "assign activity" page logged in as "student1"
    When I click on "Get a copy" "link"
    And I set the field "Copy into" to "/"
    And I press "Copy here"
    Then I should see "Your copy is in /lab1."
    And the lablink home "student1" should hold "lab1/notebook.ipynb"
    And I should see "You copied the starting folder into /lab1"
    When I press "Add submission"
    And I set the field "Folder to submit" to "/lab1"
    And I press "Save changes"
    Then I should see "Submitted for grading"
    And I should see "lab1.zip"
    And I should see "notebook.ipynb"

  Scenario: A teacher sees the submitted zip in the grading table
    Given the following "mod_assign > submissions" exist:
      | assign | user     | lablink_path |
      | Lab 1  | student1 | /            |
    When I am on the "Lab 1" "assign activity" page logged in as "teacher1"
    And I navigate to "Submissions" in current page administration
    Then I should see "home.zip"
    And I should see "keep.txt"
