import type { Router } from 'express';
import { decodeFile } from '../../core/coverage/encode.ts';
import { emptyFile, fileTotals, mergeFile } from '../../core/coverage/tracefile.ts';
import { coverageFileData, coverageFiles, coverageSummary } from '../../core/db/coverage.ts';
import { requireBuild } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { annotatedLines, readSource } from '../views/coverage-source.ts';
import { coverageTable, figures, sortOf, totalsJson } from '../views/coverage-table.ts';
import { links } from '../views/links.ts';

/** /build/N/coverage (totals and the per-directory table) and /build/N/coverage/FILE (annotated source). */
export function buildCoverageRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/build/:id/coverage', (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const summary = coverageSummary(db, build.id);
    if (!summary) throw new NotFound(`coverage of build ${build.id} (it has no lcov products)`);
    // A build's coverage never changes once recorded; the cache is dropped on any database change anyway.
    const files = cache.get(`coveragefiles:${build.id}`, () => coverageFiles(db, build.id));
    const dir = typeof req.query['dir'] === 'string' ? req.query['dir'] : null;
    const base = `${links.build(build.id)}/coverage`;
    sendPage(req, res, render, {
      template: 'coverage',
      view: () => ({
        title: `Coverage of build ${build.id}`,
        heading: `Coverage of build ${build.id}`,
        crumbs: [
          { text: `Build ${build.id}`, url: links.build(build.id) },
          {
            text: `${build.project}:${build.jobset}:${build.job}`,
            url: links.job(build.project, build.jobset, build.job),
          },
        ],
        tracefiles: summary.tracefiles,
        problems: summary.problems,
        totals: figures(summary),
        fileCount: files.length,
        table: coverageTable(files, { dir, sort: sortOf(req.query['sort'], req.query['order']), base }),
        base,
        trendUrl: `${links.job(build.project, build.jobset, build.job)}/coverage`,
      }),
      json: () => ({
        build: build.id,
        tracefiles: summary.tracefiles,
        problems: summary.problems,
        ...totalsJson(summary),
        files: files.map((f) => ({ path: f.display, source: f.path, ...totalsJson(f) })),
      }),
    });
  });

  router.get('/build/:id/coverage/*file', (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const segments = (req.params as Record<string, unknown>)['file'];
    const display = Array.isArray(segments) ? segments.map(String).join('/') : String(segments);
    const rows = coverageFileData(db, build.id, display);
    if (rows.length === 0) throw new NotFound(`${display} in the coverage of build ${build.id}`);
    const merged = emptyFile(rows[0]!.path);
    for (const r of rows) mergeFile(merged, decodeFile(r.path, r.data));
    const source = rows[0]!.outside
      ? { missing: 'the source file lies outside any store path; hydrant does not read it' }
      : readSource(rows[0]!.path);
    const functions = [...merged.functions]
      .map(([name, f]) => ({ name, line: f.line, hits: f.hits, uncovered: f.hits === 0 }))
      .sort((a, b) => a.line - b.line || (a.name < b.name ? -1 : 1));
    sendPage(req, res, render, {
      template: 'coverage-file',
      view: () => ({
        title: `${display} — coverage of build ${build.id}`,
        display,
        sources: rows.map((r) => r.path),
        buildUrl: links.build(build.id),
        coverageUrl: `${links.build(build.id)}/coverage`,
        buildId: build.id,
        totals: figures(fileTotals(merged)),
        missing: 'missing' in source ? source.missing : null,
        lines: annotatedLines(merged, 'lines' in source ? source.lines : null),
        functions,
      }),
      json: () => ({
        build: build.id,
        path: display,
        sources: rows.map((r) => r.path),
        ...totalsJson(fileTotals(merged)),
        sourceAvailable: 'lines' in source,
        lines: Object.fromEntries([...merged.lines].sort((a, b) => a[0] - b[0])),
        functions,
        branches: Object.fromEntries(merged.branches),
      }),
    });
  });
}
