/*
 * Writes a small IPFIX file whose enterprise IEs are described by RFC 5610
 * type records, with libfixbuf 2.4's own exporter (the test input for
 * ipfixkit's RFC 5610 round trip: tests/rfc5610.rs).
 *
 * Usage: fixbuf_5610 OUT
 *
 * Two IEs of the documentation PEN 32473 (RFC 5612) are added to the info
 * model: fixbufTestOctets (1001, unsigned64 deltaCounter in octets) and
 * fixbufTestLabel (1002, variable-length string).  With
 * fbSessionSetMetadataExportElements() the session writes a type record for
 * each (options template 400) when its templates are exported.  Template 1000
 * mixes IANA IEs with both; four records follow, in observation domain 7 with
 * a fixed export time, so the output is the same on every run.
 *
 * Exit status: 0 on success, 1 with libfixbuf's message on stderr otherwise.
 */
#include <fixbuf/public.h>
#include <stdio.h>
#include <string.h>

#define PEN 32473

static fbInfoElement_t enterprise_ies[] = {
    FB_IE_INIT_FULL("fixbufTestOctets", PEN, 1001, 8,
                    FB_IE_DELTACOUNTER | FB_UNITS_OCTETS | FB_IE_F_ENDIAN,
                    0, 0, FB_UINT_64, "octets counted by the test exporter"),
    FB_IE_INIT_FULL("fixbufTestLabel", PEN, 1002, FB_IE_VARLEN,
                    FB_IE_DEFAULT, 0, 0, FB_STRING,
                    "a label chosen by the test exporter"),
    FB_IE_NULL
};

/* The record as it sits in memory: the internal template below, in this
 * order, with no padding (the fbVarfield_t starts at an 8-octet boundary). */
static fbInfoElementSpec_t record_spec[] = {
    {"flowStartMilliseconds",    8, 0},
    {"fixbufTestOctets",         8, 0},
    {"sourceIPv4Address",        4, 0},
    {"destinationIPv4Address",   4, 0},
    {"sourceTransportPort",      2, 0},
    {"destinationTransportPort", 2, 0},
    {"ingressInterface",         4, 0},
    {"fixbufTestLabel",          0, 0},
    FB_IESPEC_NULL
};

typedef struct record_st {
    uint64_t     flowStartMilliseconds;
    uint64_t     fixbufTestOctets;
    uint32_t     sourceIPv4Address;
    uint32_t     destinationIPv4Address;
    uint16_t     sourceTransportPort;
    uint16_t     destinationTransportPort;
    uint32_t     ingressInterface;
    fbVarfield_t fixbufTestLabel;
} record_t;

#define TYPE_TID   400
#define RECORD_TID 1000
#define DOMAIN     7
#define EXPORT_TIME 1700000000u

static int fail(const char *what, GError *err)
{
    fprintf(stderr, "fixbuf_5610: %s: %s\n", what,
            err ? err->message : "failed");
    return 1;
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    static const char *labels[] = {"web", "", "dns lookup", "backup"};
    record_t rec;
    unsigned i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT\n", argv[0]);
        return 2;
    }
    fbInfoModel_t *model = fbInfoModelAlloc();
    fbInfoModelAddElementArray(model, enterprise_ies);

    fbSession_t *session = fbSessionAlloc(model);
    fbSessionSetDomain(session, DOMAIN);
    if (!fbSessionSetMetadataExportElements(session, TRUE, TYPE_TID, &err)) {
        return fail("type-information template", err);
    }
    fbTemplate_t *tmpl = fbTemplateAlloc(model);
    if (!fbTemplateAppendSpecArray(tmpl, record_spec, 0, &err)) {
        return fail("template", err);
    }
    if (!fbSessionAddTemplate(session, TRUE, RECORD_TID, tmpl, &err)) {
        return fail("adding the internal template", err);
    }
    fbExporter_t *exporter = fbExporterAllocFile(argv[1]);
    fBuf_t *fbuf = fBufAllocForExport(session, exporter);
    fBufSetExportTime(fbuf, EXPORT_TIME);
    /* With the buffer there, adding the external template writes it at once:
     * the first records come before any type record, as in a file that
     * starts in the middle of an export (the names are learned later, for
     * templates defined before the type records too). */
    if (!fbSessionAddTemplate(session, FALSE, RECORD_TID, tmpl, &err)) {
        return fail("adding the template", err);
    }
    if (!fBufSetInternalTemplate(fbuf, RECORD_TID, &err)
        || !fBufSetExportTemplate(fbuf, RECORD_TID, &err))
    {
        return fail("selecting the template", err);
    }
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (i == 2) {
            /* The periodic template refresh: the type-information template,
             * a type record per enterprise IE (metadata export is on), and
             * template 1000 again. */
            if (!fBufEmit(fbuf, &err)) {
                return fail("writing the first message", err);
            }
            if (!fbSessionExportTemplates(session, &err)) {
                return fail("exporting templates", err);
            }
            if (!fBufSetInternalTemplate(fbuf, RECORD_TID, &err)
                || !fBufSetExportTemplate(fbuf, RECORD_TID, &err))
            {
                return fail("selecting the template again", err);
            }
        }
        memset(&rec, 0, sizeof(rec));
        rec.flowStartMilliseconds = (uint64_t)EXPORT_TIME * 1000 - 60000 + i * 1500;
        rec.fixbufTestOctets = i == 3 ? UINT64_MAX : 1000 * (i + 1) + i;
        rec.sourceIPv4Address = 0xC0000201 + i;          /* 192.0.2.1 + i */
        rec.destinationIPv4Address = 0xC6336401;         /* 198.51.100.1 */
        rec.sourceTransportPort = (uint16_t)(40000 + i);
        rec.destinationTransportPort = i == 2 ? 53 : 443;
        rec.ingressInterface = i + 1;
        rec.fixbufTestLabel.buf = (uint8_t *)labels[i];
        rec.fixbufTestLabel.len = strlen(labels[i]);
        if (!fBufAppend(fbuf, (uint8_t *)&rec, sizeof(rec), &err)) {
            return fail("appending a record", err);
        }
    }
    if (!fBufEmit(fbuf, &err)) {
        return fail("writing the message", err);
    }
    fBufFree(fbuf);
    fbInfoModelFree(model);
    return 0;
}
