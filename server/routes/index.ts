import type { Router } from 'express';
import type { RouteContext } from '../route-context.ts';
import { apiJobsetsRoutes } from './api-jobsets.ts';
import { apiLatestBuildsRoutes } from './api-latestbuilds.ts';
import { apiNrBuildsRoutes } from './api-nrbuilds.ts';
import { apiQueueRoutes } from './api-queue.ts';
import { apiPushRoutes } from './api-push.ts';
import { buildActionRoutes } from './build-actions.ts';
import { buildConstituentsRoutes } from './build-constituents.ts';
import { buildCoverageRoutes } from './build-coverage.ts';
import { buildScreenshotDiffRoutes } from './build-screenshot-diff.ts';
import { evalCoverageRoutes } from './eval-coverage.ts';
import { jobCoverageRoutes } from './job-coverage.ts';
import { jobScreenshotsRoutes } from './job-screenshots.ts';
import { buildLogLiveRoutes } from './build-log-live.ts';
import { buildLogRoutes } from './build-log.ts';
import { buildReproduceRoutes } from './build-reproduce.ts';
import { buildRoutes } from './build.ts';
import { channelCustomRoutes } from './channel-custom.ts';
import { channelRoutes } from './channels.ts';
import { downloadRoutes } from './download.ts';
import { evalBuildsRoutes } from './eval-builds.ts';
import { evalActionRoutes } from './eval-actions.ts';
import { evalErrorsRoutes } from './eval-errors.ts';
import { evalRedirectRoutes } from './eval-redirects.ts';

import { currentUserRoutes } from './current-user.ts';
import { evalStorePathsRoutes } from './eval-store-paths.ts';
import { evalRoutes } from './eval.ts';
import { evalsRoutes } from './evals.ts';
import { homeRoutes } from './home.ts';
import { jobBadgeRoutes } from './job-badge.ts';
import { jobLatestRoutes } from './job-latest.ts';
import { jobRoutes } from './job.ts';
import { jobsetEditRoutes } from './jobset-edit.ts';
import { jobsetEvalsRoutes } from './jobset-evals.ts';
import { jobsetFormRoutes } from './jobset-form.ts';
import { jobsetTriggerRoutes } from './jobset-trigger.ts';
import { jobsetRoutes } from './jobset.ts';
import { loginRoutes } from './login.ts';
import { machinesRoutes } from './machines.ts';
import { metricsRoutes } from './metrics.ts';
import { narRoutes } from './nar.ts';
import { narinfoRoutes } from './narinfo.ts';
import { nixCacheInfoRoutes } from './nix-cache-info.ts';
import { projectEditRoutes } from './project-edit.ts';
import { projectFormRoutes } from './project-form.ts';
import { projectRoutes } from './project.ts';
import { queueRunnerStatusRoutes } from './queue-runner-status.ts';
import { queueRoutes } from './queue.ts';
import { searchRoutes } from './search.ts';
import { statusRoutes } from './status.ts';
import { stepsRoutes } from './steps.ts';
import { adminNotificationsRoutes } from './admin-notifications.ts';
import { emailSettingsRoutes } from './email-settings.ts';
import { subscribeRoutes } from './subscribe.ts';
import { unsubscribeRoutes } from './unsubscribe.ts';
import { webhookRoutes } from './webhooks.ts';

/** Every route module; each registers the URLs of one page or one action. */
export const ROUTES: ((router: Router, ctx: RouteContext) => void)[] = [
  homeRoutes,
  projectRoutes,
  projectEditRoutes,
  projectFormRoutes,
  jobsetRoutes,
  jobsetFormRoutes,
  jobsetEvalsRoutes,
  jobsetEditRoutes,
  jobsetTriggerRoutes,
  evalRoutes,
  evalErrorsRoutes,
  evalBuildsRoutes,
  evalActionRoutes,
  evalRedirectRoutes,
  buildRoutes,
  buildCoverageRoutes,
  buildScreenshotDiffRoutes,
  evalCoverageRoutes,
  buildConstituentsRoutes,
  buildLogRoutes,
  buildLogLiveRoutes,
  downloadRoutes,
  buildActionRoutes,
  jobLatestRoutes,
  jobBadgeRoutes,
  jobCoverageRoutes,
  jobScreenshotsRoutes,
  jobRoutes,
  queueRoutes,
  statusRoutes,
  machinesRoutes,
  metricsRoutes,
  apiJobsetsRoutes,
  apiPushRoutes,
  searchRoutes,
  loginRoutes,
  nixCacheInfoRoutes,
  narinfoRoutes,
  narRoutes,
  apiLatestBuildsRoutes,
  apiQueueRoutes,
  apiNrBuildsRoutes,
  currentUserRoutes,
  evalsRoutes,
  stepsRoutes,
  queueRunnerStatusRoutes,
  evalStorePathsRoutes,
  buildReproduceRoutes,
  channelRoutes,
  channelCustomRoutes,
  subscribeRoutes,
  unsubscribeRoutes,
  emailSettingsRoutes,
  adminNotificationsRoutes,
  webhookRoutes,
];
