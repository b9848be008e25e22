import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TEMPLATES_DIR } from '../core/paths.ts';
import { registerHelpers } from './helpers.ts';

export type Render = (template: string, data: object) => string;

/**
 * Compiles templates/*.hbs once at start. Every page is rendered inside layout.hbs;
 * templates/partials/*.hbs are available as {{> name}}. Handlebars escapes {{value}}, so
 * text from outside (job names, logs, commit messages) is inert unless a template uses
 * {{{triple}}} braces, which ours never do for such text.
 */
export function createRenderer(dir: string = TEMPLATES_DIR): Render {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const partialsDir = join(dir, 'partials');
  for (const f of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(f, '.hbs'), readFileSync(join(partialsDir, f), 'utf8'));
  }
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    templates.set(basename(f, '.hbs'), hbs.compile(readFileSync(join(dir, f), 'utf8'), { strict: false }));
  }
  const layout = templates.get('layout');
  if (!layout) throw new Error(`templates: ${dir}/layout.hbs is missing`);
  return (template, data) => {
    const page = templates.get(template);
    if (!page) throw new Error(`templates: no template named ${template}`);
    return layout({ ...data, body: page(data) });
  };
}
