"""A clerk fills the seven tabs, uploads a PDF, meets a refusal, fixes it and submits."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.services.demo_pdf import make_pdf
from tests.factories import PASSWORD


def save(page, tab):
    page.locator(f"#tab-{tab} button[type=submit]", has_text="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved.")


def open_tab(page, tab):
    page.click(f"#tab-link-{tab}")
    expect(page.locator(f"#tab-{tab}")).to_be_visible()


def test_clerk_fills_the_seven_tabs_and_submits(page, live_server, world, shot, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    expect(page.locator("h2")).to_contain_text("My school's referrals")
    shot(page, "0-home")

    page.click("#new-referral")
    page.fill("#student_first_name", "Lena")
    page.fill("#student_last_name", "Brightwater")
    page.click("button[type=submit]")
    expect(page.locator("#standing")).to_be_visible()

    # 1. Student
    page.fill("#student_dob", "2012-05-01")
    page.select_option("#student_sex", "F")
    page.select_option("#student_race", "multiracial")
    page.fill("#student_address", "12 Lake St")
    page.fill("#student_city", "Hastings")
    page.fill("#student_state", "MN")
    page.fill("#student_zip", "55033")
    expect(page.locator("#credits_earned")).to_be_hidden()
    page.select_option("#student_grade", "9")
    expect(page.locator("#credits_earned")).to_be_visible()  # grades 9-12 ask for credits
    page.fill("#credits_earned", "3.5")
    page.fill("#credits_required", "42")
    page.check("#student_interpreter_needed")
    page.fill("#student_language", "Somali")
    shot(page, "1-student")
    save(page, "student")

    # 2. Family
    open_tab(page, "family")
    page.fill("#new-name", "Amina Brightwater")
    page.fill("#new-relationship", "Mother")
    page.fill("#new-phone_cell", "651-555-0177")
    page.click("#add-family")
    expect(page.locator(".family-member")).to_contain_text("Amina Brightwater")
    shot(page, "2-family")

    # 3. Truancy: 6 days and one half day, which the rules will refuse.
    open_tab(page, "truancy")
    page.fill("#unexcused_full_days", "6")
    page.fill("#unexcused_half_days", "1")
    expect(page.locator("#days-counter")).to_contain_text("6.5 of 7 days")
    page.fill("#relevant_information", "Misses most Mondays.")
    shot(page, "3-truancy")
    save(page, "truancy")

    # 4. Intervention
    open_tab(page, "intervention")
    page.check("#check_warning_letter_3_day")
    page.fill("input[name=date_warning_letter_3_day]", "2026-10-01")
    page.check("#check_parent_meeting")
    page.fill("input[name=note_parent_meeting]", "Parent did not answer three invitations.")
    page.check("#check_tutoring_mentoring")
    shot(page, "4-intervention")
    page.click("#save-interventions")
    expect(page.locator(".alert-success")).to_contain_text("Interventions saved.")

    # 5. Special education: the description appears when a box is ticked.
    open_tab(page, "special_education")
    expect(page.locator("#disability_description")).to_be_hidden()
    page.check("#has_iep")
    expect(page.locator("#disability_description")).to_be_visible()
    page.fill("#disability_description", "IEP for reading, in process.")
    shot(page, "5-special-education")
    save(page, "special_education")

    # 6. Contacts
    open_tab(page, "contacts")
    page.fill("#primary_contact_name", "Pat Attendance")
    page.fill("#primary_contact_phone", "651-555-0100")
    page.fill("#primary_contact_email", "pat@example.org")
    shot(page, "6-contacts")
    save(page, "contacts")

    # 7. Attachments
    open_tab(page, "attachments")
    record = tmp_path / "attendance-record.pdf"
    record.write_bytes(make_pdf("Attendance record for the browser test"))
    page.select_option("#kind", "attendance_record")
    page.set_input_files("#file", str(record))
    page.click("#upload")
    expect(page.locator("#attachments")).to_contain_text("attendance-record.pdf")
    shot(page, "7-attachments")

    # Submit: refused on the absences, shown on the Truancy tab.
    page.click("#submit-referral")
    expect(page.locator(".alert-danger").first).to_contain_text("cannot be submitted yet")
    expect(page.locator("#tab-truancy")).to_contain_text("6.5 of 7 days (two half days count as one).")
    expect(page.locator("#tab-link-truancy")).to_have_class(re.compile("text-danger"))
    shot(page, "8-refused")

    # Fix it and submit.
    page.fill("#unexcused_half_days", "2")
    save(page, "truancy")
    expect(page.locator("#standing")).to_contain_text("Ready to submit.")
    page.click("#submit-referral")
    expect(page.locator(".status-submitted")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Submitted")
    expect(page.locator("text=Save draft")).to_have_count(0)
    shot(page, "9-submitted")

    page.goto(f"{live_server}/referrals/")
    expect(page.locator("#referrals")).to_contain_text("Brightwater")
