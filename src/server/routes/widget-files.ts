import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { ApiError, methodNotAllowed, sendError } from '../errors.js';
import { BUNDLE_FILE, type WidgetFiles } from '../widget/files.js';

const notBuilt = (what: string) =>
  new ApiError(
    404,
    'widget.not_built',
    `${what} is not built yet (widget/dist); build the widget, then restart or reload`,
  );

function sendWidgetFile(
  res: Response,
  file: string | undefined,
  what: string,
  next: (err?: unknown) => void,
): void {
  if (file === undefined) {
    sendError(res, notBuilt(what));
    return;
  }
  res.sendFile(file, { dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } }, (err?: unknown) => {
    if (!err) return;
    const code = (err as NodeJS.ErrnoException).code;
    const status = (err as { status?: number }).status;
    if (!res.headersSent && (code === 'ENOENT' || code === 'ENOTDIR' || status === 404)) {
      sendError(res, notBuilt(what));
      return;
    }
    next(err);
  });
}

/**
 * The widget's files: config.js rendered from the kit config, utils.js, the element bundle, the
 * index page Genesys frames, and the rest of widget/dist. Until the widget is built, the seed's
 * files answer 404 widget.not_built.
 */
export function widgetFileRoutes(router: Router, files: WidgetFiles, configJs: string): void {
  router
    .route('/config.js')
    .get((_req, res) => {
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      res.send(configJs);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/utils.js')
    .get((_req, res, next) => sendWidgetFile(res, files.utilsFile(), 'utils.js', next))
    .all(methodNotAllowed(['GET']));

  router
    .route(`/${BUNDLE_FILE}`)
    .get((_req, res, next) =>
      sendWidgetFile(res, join(files.distDir, BUNDLE_FILE), 'the widget bundle', next),
    )
    .all(methodNotAllowed(['GET']));

  for (const page of ['/', '/index.html']) {
    router
      .route(page)
      .get((_req, res, next) =>
        sendWidgetFile(res, join(files.distDir, 'index.html'), 'the widget page', next),
      )
      .all(methodNotAllowed(['GET']));
  }

  router.use(
    express.static(files.distDir, {
      index: false,
      dotfiles: 'ignore',
      fallthrough: true,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
}
