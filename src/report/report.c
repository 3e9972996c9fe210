/* report.c -- dispatch to the renderer of a format; reports write errors. */
#include <errno.h>
#include <string.h>
#include "result.h"
#include "../util/util.h"

int dyadfit_report(const dyadfit_result *r, dyadfit_format f, FILE *out,
                   dyadfit_error *err)
{
    int rc;
    switch (f) {
    case DYADFIT_FORMAT_TEXT: rc = df_report_text(r, out); break;
    case DYADFIT_FORMAT_CSV: rc = df_report_csv(r, out); break;
    case DYADFIT_FORMAT_JSON: rc = df_report_json(r, out); break;
    case DYADFIT_FORMAT_MARKDOWN: rc = df_report_markdown(r, out); break;
    case DYADFIT_FORMAT_LATEX: rc = df_report_latex(r, out); break;
    default:
        return df_error(err, DYADFIT_ERR_USAGE, "unknown output format %d", (int)f);
    }
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the report: %s",
                        strerror(errno));
    return DYADFIT_OK;
}
