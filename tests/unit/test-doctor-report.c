/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rcc-setup doctor's report (setup/verbs/doctor-report.c): the lines and summary for a human, and
 * the one JSON document of --json, with its counts, nulls and escaped messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doctor-report.h"
#include "macro.h"

typedef struct Finding {
        const char *check;
        Verdict verdict;
        const char *message, *fix;
} Finding;

static const Finding findings[] = {
        {"policy", VERDICT_OK, "policy /etc/rcc loads: 1 sandbox account", NULL},
        {"sshd", VERDICT_WARN, "sshd: not started here: its runtime directory /run/sshd is missing",
         "systemctl enable --now ssh"},
        {"sudo", VERDICT_FAIL,
         "sudo: 'visudo -c' finds errors (exit status 1: /etc/sudoers.d/x:1:9: syntax error)",
         "visudo -f /etc/sudoers.d/x"},
        /* a fix on ok or skip is not shown: there is nothing to fix */
        {"sudo", VERDICT_SKIP, "sudo: needs root", "ignored"},
        {"firewall", VERDICT_FAIL, "a tool said \"caf\xe9\"\tand\\left", NULL},
};

/* The report of findings (or none), as text or JSON, in a string to free. */
static char *render(bool json, size_t n) {
        DoctorReport r;
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        assert_int_equal(doctor_report_open(&r, f, json), 0);
        for (size_t i = 0; i < n; i++)
                doctor_report_add(
                        &r, findings[i].check, findings[i].verdict, findings[i].message, findings[i].fix);
        assert_int_equal(r.count[VERDICT_FAIL], n >= 5 ? 2 : n >= 3 ? 1 : 0);
        assert_int_equal(doctor_report_close(&r), 0);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void test_text(void **state) {
        _cleanup_free_ char *out = render(false, ELEMENTSOF(findings));

        (void)state;
        assert_string_equal(
                out,
                "ok   policy /etc/rcc loads: 1 sandbox account\n"
                "warn sshd: not started here: its runtime directory /run/sshd is missing — fix: systemctl "
                "enable --now ssh\n"
                "FAIL sudo: 'visudo -c' finds errors (exit status 1: /etc/sudoers.d/x:1:9: syntax error) — fix: "
                "visudo -f /etc/sudoers.d/x\n"
                "skip sudo: needs root\n"
                "FAIL a tool said \"caf\xe9\"\tand\\left\n"
                "doctor: 1 ok, 1 warnings, 2 failures, 1 skipped\n");
}

static void test_json(void **state) {
        _cleanup_free_ char *out = render(true, ELEMENTSOF(findings));

        (void)state;
        assert_string_equal(
                out,
                "{\"version\":1,\"summary\":{\"ok\":1,\"warn\":1,\"fail\":2,\"skip\":1},\"checks\":[\n"
                "{\"name\":\"policy\",\"verdict\":\"ok\",\"message\":\"policy /etc/rcc loads: 1 sandbox "
                "account\",\"fix\":null},\n"
                "{\"name\":\"sshd\",\"verdict\":\"warn\",\"message\":\"sshd: not started here: its runtime "
                "directory /run/sshd is missing\",\"fix\":\"systemctl enable --now ssh\"},\n"
                "{\"name\":\"sudo\",\"verdict\":\"fail\",\"message\":\"sudo: 'visudo -c' finds errors (exit "
                "status 1: /etc/sudoers.d/x:1:9: syntax error)\",\"fix\":\"visudo -f /etc/sudoers.d/x\"},\n"
                "{\"name\":\"sudo\",\"verdict\":\"skip\",\"message\":\"sudo: needs root\",\"fix\":null},\n"
                "{\"name\":\"firewall\",\"verdict\":\"fail\",\"message\":\"a tool said "
                "\\\"caf\\ufffd\\\"\\tand\\\\left\",\"fix\":null}\n"
                "]}\n");
}

static void test_json_empty(void **state) {
        _cleanup_free_ char *out = render(true, 0);

        (void)state;
        assert_string_equal(
                out,
                "{\"version\":1,\"summary\":{\"ok\":0,\"warn\":0,\"fail\":0,\"skip\":0},\"checks\":[]}\n");
}

static void test_text_no_skips(void **state) {
        _cleanup_free_ char *out = render(false, 3);

        (void)state;
        /* "skipped" only when something was */
        assert_non_null(strstr(out, "\ndoctor: 1 ok, 1 warnings, 1 failures\n"));
}

/* A stream that cannot be written: the report says so rather than exit 0 with nothing printed. */
static void test_write_error(void **state) {
        DoctorReport r;
        FILE *f = fopen("/dev/full", "we");

        (void)state;
        if (!f)
                skip();
        assert_int_equal(doctor_report_open(&r, f, true), 0);
        doctor_report_add(&r, "policy", VERDICT_OK, "loads", NULL);
        assert_int_equal(doctor_report_close(&r), -EIO);
        fclose(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text),        cmocka_unit_test(test_json),
                cmocka_unit_test(test_json_empty),  cmocka_unit_test(test_text_no_skips),
                cmocka_unit_test(test_write_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
