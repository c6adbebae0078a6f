/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "doctor-report.h"
#include "json.h"
#include "macro.h"

static const char *const text_tag[_VERDICT_MAX] = {
        [VERDICT_OK] = "ok  ",
        [VERDICT_WARN] = "warn",
        [VERDICT_FAIL] = "FAIL",
        [VERDICT_SKIP] = "skip",
};

static const char *const json_verdict[_VERDICT_MAX] = {
        [VERDICT_OK] = "ok",
        [VERDICT_WARN] = "warn",
        [VERDICT_FAIL] = "fail",
        [VERDICT_SKIP] = "skip",
};

int doctor_report_open(DoctorReport *r, FILE *out, bool json) {
        *r = (DoctorReport){.out = out, .json = json};
        if (json) {
                r->checks = open_memstream(&r->checks_text, &r->checks_len);
                if (!r->checks)
                        return -ENOMEM;
        }
        return 0;
}

void doctor_report_add(DoctorReport *r, const char *check, Verdict v, const char *message, const char *fix) {
        bool has_fix = fix && (v == VERDICT_WARN || v == VERDICT_FAIL);

        r->count[v]++;
        r->n++;
        if (!r->json) {
                fprintf(r->out, "%s %s", text_tag[v], message);
                if (has_fix)
                        fprintf(r->out, " — fix: %s", fix);
                fputc('\n', r->out);
                return;
        }
        /* One finding a line, for grep and for reading. */
        fputs(r->n == 1 ? "\n{\"name\":" : ",\n{\"name\":", r->checks);
        json_write_string(r->checks, check);
        fprintf(r->checks, ",\"verdict\":\"%s\",\"message\":", json_verdict[v]);
        json_write_string(r->checks, message);
        fputs(",\"fix\":", r->checks);
        json_write_string(r->checks, has_fix ? fix : NULL);
        fputc('}', r->checks);
}

static int close_json(DoctorReport *r) {
        _cleanup_free_ char *checks = NULL;
        bool broken = fclose(r->checks) != 0;

        /* A finding that did not fit in memory leaves no half document on stdout. */
        r->checks = NULL;
        checks = TAKE_PTR(r->checks_text);
        if (broken)
                return -ENOMEM;
        fprintf(r->out,
                "{\"version\":%d,\"summary\":{\"ok\":%u,\"warn\":%u,\"fail\":%u,\"skip\":%u},\"checks\":[",
                DOCTOR_JSON_VERSION, r->count[VERDICT_OK], r->count[VERDICT_WARN], r->count[VERDICT_FAIL],
                r->count[VERDICT_SKIP]);
        if (r->checks_len > 0)
                fwrite(checks, 1, r->checks_len, r->out);
        fputs(r->n > 0 ? "\n]}\n" : "]}\n", r->out);
        return 0;
}

int doctor_report_close(DoctorReport *r) {
        if (r->json) {
                int k = close_json(r);
                if (k < 0)
                        return k;
        } else {
                fprintf(r->out, "doctor: %u ok, %u warnings, %u failures", r->count[VERDICT_OK],
                        r->count[VERDICT_WARN], r->count[VERDICT_FAIL]);
                if (r->count[VERDICT_SKIP])
                        fprintf(r->out, ", %u skipped", r->count[VERDICT_SKIP]);
                fputc('\n', r->out);
        }
        if (fflush(r->out) != 0 || ferror(r->out))
                return -EIO;
        return 0;
}
