import React, { Suspense, lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { ROUTES } from '../../constants';

// Each page is its own chunk: module.js stays small and a page's code loads only when it is opened.
const OverviewPage = lazy(() => import('../../pages/overview/OverviewPage'));
const AdvicePage = lazy(() => import('../../pages/advice/AdvicePage'));
const CataloguePage = lazy(() => import('../../pages/catalogue/CataloguePage'));

function App(_props: AppRootProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
      <Routes>
        <Route path={ROUTES.Advice} element={<AdvicePage />} />
        <Route path={ROUTES.Insights} element={<CataloguePage />} />
        {/* The overview is the default page (plugin.json's defaultNav), also for unknown paths. */}
        <Route path="*" element={<OverviewPage />} />
      </Routes>
    </Suspense>
  );
}

export default App;
