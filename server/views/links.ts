/** URLs in Hydra's scheme, each segment encoded so that no name can break out of its place. */
const e = encodeURIComponent;
export const links = {
  project: (p: string) => `/project/${e(p)}`,
  jobset: (p: string, j: string) => `/jobset/${e(p)}/${e(j)}`,
  job: (p: string, j: string, job: string) => `/job/${e(p)}/${e(j)}/${e(job)}`,
  eval: (id: number) => `/eval/${id}`,
  build: (id: number) => `/build/${id}`,
  buildLog: (id: number) => `/build/${id}/log`,
  /** Hydra's URL for the log of one step. */
  stepLog: (id: number, stepnr: number) => `/build/${id}/nixlog/${stepnr}`,
  download: (id: number, productnr: number, path = '') =>
    `/build/${id}/download/${productnr}${path ? '/' + path.split('/').map(e).join('/') : ''}`,
};
