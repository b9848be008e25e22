import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TEMPLATES_DIR } from '../core/paths.ts';
import { registerHelpers } from './helpers.ts';

export interface Render {
  (template: string, data: object): string;
  /**
   * templates/partials/NAME.hbs rendered on its own, already escaped: big parts of a page
   * that depend on the database only (not on the viewer or the clock) are rendered once
   * per database change, kept in the ReadCache and inserted with {{{triple}}} braces.
   */
  fragment(partial: string, data: object): Handlebars.SafeString;
}

/**
 * Compiles templates/*.hbs once at start. Every page is rendered inside layout.hbs;
 * templates/partials/*.hbs are available as {{> name}}. Handlebars escapes {{value}}, so
 * text from outside (job names, logs, commit messages) is inert unless a template uses
 * {{{triple}}} braces, which ours do only for fragments (above) and the layout's body.
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Render {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const partialsDir = join(dir, 'partials');
  const partials = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    const source = readFileSync(join(partialsDir, f), 'utf8');
    hbs.registerPartial(basename(f, '.hbs'), source);
    partials.set(basename(f, '.hbs'), hbs.compile(source, { strict: false }));
  }
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    templates.set(basename(f, '.hbs'), hbs.compile(readFileSync(join(dir, f), 'utf8'), { strict: false }));
  }
  const layout = templates.get('layout');
  if (!layout) throw new Error(`templates: ${dir}/layout.hbs is missing`);
  const render = (template: string, data: object) => {
    const page = templates.get(template);
    if (!page) throw new Error(`templates: no template named ${template}`);
    return layout({ ...data, body: page(data) });
  };
  return Object.assign(render, {
    fragment(partial: string, data: object) {
      const compiled = partials.get(partial);
      if (!compiled) throw new Error(`templates: no partial named ${partial}`);
      return new hbs.SafeString(compiled(data));
    },
  });
}
