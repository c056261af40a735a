import { lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { CurrentUserProvider } from "./auth/CurrentUser";
import { Layout } from "./layout/Layout";
import { NotFoundPage } from "./layout/NotFoundPage";
import { TaskListPage } from "./tasks/TaskListPage";

// The pages after the first, each in a chunk of its own: the first page's JavaScript stays small.
const loadTaskPage = () => import("./tasks/TaskPage");
const loadCaseListPage = () => import("./cases/CaseListPage");
const loadCasePage = () => import("./cases/CasePage");
const loadStartCasePage = () => import("./cases/StartCasePage");
const TaskPage = lazy(loadTaskPage);
const CaseListPage = lazy(loadCaseListPage);
const CasePage = lazy(loadCasePage);
const StartCasePage = lazy(loadStartCasePage);
const FormListPage = lazy(() => import("./studio/FormListPage"));
const FormPreviewPage = lazy(() => import("./studio/FormPreviewPage"));
const StudioHomePage = lazy(() => import("./studio/StudioHomePage"));
const RegionRoutinePage = lazy(() => import("./studio/RegionRoutinePage"));
const FileDiffPage = lazy(() => import("./studio/FileDiffPage"));
const VersionsPage = lazy(() => import("./studio/VersionsPage"));
const DecisionEditorPage = lazy(() => import("./studio/DecisionEditorPage"));
const FormEditorPage = lazy(() => import("./studio/FormEditorPage"));
const NotificationSettingsPage = lazy(() => import("./settings/NotificationSettingsPage"));
const BpmnEditorPage = lazy(() => import("./studio/bpmn/BpmnEditorPage"));

/** Once the first page is shown and the browser is idle, the chunks of the pages staff go on to are fetched, so
 *  that opening a task or a case waits for no chunk (React shows a suspended page's fallback for at least
 *  ~300 ms). */
function usePreloadedPages() {
  useEffect(() => {
    const preload = () => {
      for (const load of [loadTaskPage, loadCasePage, loadCaseListPage, loadStartCasePage]) {
        // A chunk that cannot be fetched now is fetched again when its page is opened.
        load().catch(() => undefined);
      }
    };
    if (typeof window.requestIdleCallback === "function") {
      const id = window.requestIdleCallback(preload, { timeout: 2000 });
      return () => window.cancelIdleCallback(id);
    }
    const timer = window.setTimeout(preload, 500);
    return () => window.clearTimeout(timer);
  }, []);
}

export function App() {
  usePreloadedPages();
  return (
    <CurrentUserProvider>
      <Suspense
        fallback={
          <p className="loading" role="status">
            Laddar …
          </p>
        }
      >
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<Navigate to="/uppgifter" replace />} />
            <Route path="uppgifter" element={<TaskListPage />} />
            <Route path="uppgifter/:taskId" element={<TaskPage />} />
            <Route path="arenden" element={<CaseListPage />} />
            <Route path="arenden/ny" element={<StartCasePage />} />
            <Route path="arenden/:caseId" element={<CasePage />} />
            <Route path="formular" element={<FormListPage />} />
            <Route path="formular/:region/:name" element={<FormPreviewPage />} />
            <Route path="studio" element={<StudioHomePage />} />
            <Route path="studio/:region" element={<RegionRoutinePage />} />
            <Route path="studio/:region/skillnad" element={<FileDiffPage />} />
            <Route path="studio/:region/versioner" element={<VersionsPage />} />
            <Route path="studio/:region/dmn/*" element={<DecisionEditorPage />} />
            <Route path="studio/:region/formular/*" element={<FormEditorPage />} />
            <Route path="studio/:region/bpmn/*" element={<BpmnEditorPage />} />
            <Route path="installningar" element={<NotificationSettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </Suspense>
    </CurrentUserProvider>
  );
}
