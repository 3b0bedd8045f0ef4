@mod @mod_assign @assignsubmission @assignsubmission_lablink @javascript
Feature: A teacher picks the source folder of an assignment from their workspace
  In order to give students starting material
  As a teacher
  I need to choose a folder of my workspace that is snapshotted into the assignment

  Background:
    Given the following "users" exist:
      | username | firstname | lastname | email                |
      | teacher1 | Teacher   | 1        | teacher1@example.com |
    And the following "courses" exist:
      | fullname | shortname |
      | Course 1 | C1        |
    And the following "course enrolments" exist:
      | user     | course | role           |
      | teacher1 | C1     | editingteacher |
    And a lablink file server holds these files:
      | home     | path                      | content          |
      | teacher1 | course/lab1/notebook.ipynb | {"cells": []}    |
      | teacher1 | course/lab1/data.csv       | a,b              |

  Scenario: The chosen folder is snapshotted on save and then shown read-only
    Given I log in as "teacher1"
    And I add an assign activity to course "Course 1" section "1" and I fill the form with:
      | Assignment name                 | Lab 1        |
      | Workspace folder submissions    | 1            |
      | Source folder                   | /course/lab1 |
    When I am on the "Lab 1" "assign activity" page
    Then I should see "Starting material"
    And I should see "/course/lab1"
    And I should see "Snapshot version 1"
    And I should see "2 files"
    And I am on the "Lab 1" "assign activity editing" page
    And I should see "/course/lab1"
    And "Source folder" "field" should not exist

  Scenario: A path leaving the workspace is refused in the form
    Given I log in as "teacher1"
    And I add an assign activity to course "Course 1" section "1" and I fill the form with:
      | Assignment name              | Lab 2          |
      | Workspace folder submissions | 1              |
      | Source folder                | ../other/home  |
    Then I should see "This is not a valid folder path"
