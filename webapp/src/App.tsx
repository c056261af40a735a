import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { CurrentUserProvider } from "./auth/CurrentUser";
import { Layout } from "./layout/Layout";
import { NotFoundPage } from "./layout/NotFoundPage";
import { TaskListPage } from "./tasks/TaskListPage";

const TaskPage = lazy(() => import("./tasks/TaskPage"));
const CaseListPage = lazy(() => import("./cases/CaseListPage"));
const CasePage = lazy(() => import("./cases/CasePage"));
const StartCasePage = lazy(() => import("./cases/StartCasePage"));

export function App() {
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
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </Suspense>
    </CurrentUserProvider>
  );
}
